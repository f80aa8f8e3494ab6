// The plain-HTTP face of authentication:
//   POST /oauth2/token          OAuth2 client credentials (form body; client id = API key id, secret = the key)
//   GET  /oauth2/jwks           the built-in issuer's public keys
//   GET  /.well-known/oauth-authorization-server   the same metadata as AuthMetadataService.GetOAuth2Metadata
// and the management API, JSON POSTs as the cache API (a cross-site page cannot send them):
//   /aloft/v1/auth/whoami            {}                                    -> {subject, groups, grants}
//   /aloft/v1/auth/keys/create       {name}                                -> {id, key, …}   key shown only here
//   /aloft/v1/auth/keys/list         {}                                    -> {keys}
//   /aloft/v1/auth/keys/revoke       {id}                                  -> {revoked}
//   /aloft/v1/auth/grants/add        {principal, project, domain, role}    -> {}
//   /aloft/v1/auth/grants/remove     {principal, project, domain, role}    -> {removed}
//   /aloft/v1/auth/grants/list       {project?}                            -> {grants}
//   /aloft/v1/audit/list             {project?, principal?, action?, since?, limit?} -> {entries}
// Keys are the organization admin's; grants a project's admin's (org-admin grants the org admin's); the audit log
// the organization admin's, or a project admin's for that project.
import type http from "node:http";
import type http2 from "node:http2";
import { ConnectError } from "@connectrpc/connect";
import { InvalidArgumentError } from "../errors.ts";
import { httpStatusOf, toConnectError } from "../status.ts";
import { readJson, reply } from "../cache/cache-route.ts";
import type { AuthService } from "./service.ts";
import { denied } from "./service.ts";
import { headersOf } from "./http-guard.ts";
import { builtInMetadata, JWKS_PATH, TOKEN_PATH } from "./metadata.ts";
import { allows, isOrgAdmin, isRole, type Grant } from "./roles.ts";
import type { Principal } from "./principal.ts";
import { codeName } from "./guard.ts";

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

const MAX_BODY = 64 * 1024;
const MAX_AUDIT = 1000;
const PRINCIPAL = /^(user|group|key):\S+$/;

function oauthError(res: Res, status: number, error: string, description: string, basic = false): void {
  const text = JSON.stringify({ error, error_description: description });
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...(basic ? { "www-authenticate": 'Basic realm="aloft"' } : {}) });
  res.end(text);
}

async function readForm(req: Req): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new InvalidArgumentError("request body too large");
    chunks.push(c);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

async function token(auth: AuthService, req: Req, res: Res): Promise<void> {
  if (req.method !== "POST") return oauthError(res, 405, "invalid_request", "use POST");
  const type = String(req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return oauthError(res, 400, "invalid_request", "the body must be application/x-www-form-urlencoded");
  const form = await readForm(req);
  let id = form.get("client_id") ?? undefined;
  let secret = form.get("client_secret") ?? undefined;
  const basic = /^Basic\s+(\S+)$/i.exec(String(req.headers.authorization ?? ""));
  if (basic) {
    const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return oauthError(res, 401, "invalid_client", "malformed Basic credentials", true);
    // RFC 6749 2.3.1: both parts are form-urlencoded before encoding.
    id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " "));
    secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " "));
  }
  if (form.get("grant_type") !== "client_credentials") return oauthError(res, 400, "unsupported_grant_type", "only client_credentials is supported");
  if (!id || !secret) return oauthError(res, 401, "invalid_client", "client_id and client_secret are required", !!basic);
  const keyId = await auth.keys.verify(secret);
  if (keyId === undefined || keyId !== id) return oauthError(res, 401, "invalid_client", "unknown client or wrong secret", !!basic);
  const scope = form.get("scope") ?? auth.config.scopes.join(" ");
  const lifetime = auth.config.tokenLifetimeSeconds;
  const text = JSON.stringify({ access_token: await auth.issuer.issue(`key:${keyId}`, lifetime, scope), token_type: "Bearer", expires_in: lifetime, scope });
  res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" });
  res.end(text);
}

function str(body: Record<string, unknown>, field: string, pattern?: RegExp): string {
  const v = body[field];
  if (typeof v !== "string" || v === "" || (pattern && !pattern.test(v))) throw new InvalidArgumentError(`${field}: ${pattern ? `must match ${pattern.source}` : "must be a non-empty string"}`);
  return v;
}

function grantOf(body: Record<string, unknown>): Grant {
  const role = str(body, "role");
  if (!isRole(role)) throw new InvalidArgumentError("role: must be viewer, contributor, admin or org-admin");
  const g: Grant = { principal: str(body, "principal", PRINCIPAL), project: str(body, "project"), domain: str(body, "domain"), role };
  if (role === "org-admin" && (g.project !== "*" || g.domain !== "*")) throw new InvalidArgumentError("project, domain: org-admin is granted with project * and domain *");
  return g;
}

async function canGrant(auth: AuthService, held: Grant[], g: Grant): Promise<boolean> {
  if (isOrgAdmin(held)) return true;
  if (g.role === "org-admin" || g.project === "*") return false;
  return allows(held, "admin", g.project, g.domain === "*" ? undefined : g.domain);
}

async function manage(auth: AuthService, p: Principal, op: string, body: Record<string, unknown>): Promise<unknown> {
  const held = await auth.grantsOf(p);
  const orgAdmin = isOrgAdmin(held);
  const audit = (action: string, project: string, domain: string, resource: string, outcome: string) => auth.audit.record({ principal: p.subject, action, project, domain, resource, outcome });
  switch (op) {
    case "auth/whoami":
      return { subject: p.subject, groups: p.groups, grants: held };
    case "auth/keys/create":
    case "auth/keys/list":
    case "auth/keys/revoke": {
      const action = op.replaceAll("/", ".");
      const write = op !== "auth/keys/list";
      if (!orgAdmin) {
        if (write) audit(action, "", "", String(body.id ?? body.name ?? ""), "PERMISSION_DENIED");
        throw denied(`${p.subject} is not an organization admin (API keys are theirs to manage)`);
      }
      if (op === "auth/keys/list") return { keys: await auth.keys.list() };
      if (op === "auth/keys/create") {
        const created = await auth.keys.create(str(body, "name"), p.subject);
        audit(action, "", "", `key:${created.id}`, "OK");
        return created;
      }
      const id = str(body, "id", /^[0-9a-f]{16}$/);
      const revoked = await auth.keys.revoke(id);
      audit(action, "", "", `key:${id}`, revoked ? "OK" : "NOT_FOUND");
      return { revoked };
    }
    case "auth/grants/add":
    case "auth/grants/remove": {
      const g = grantOf(body);
      const action = op.replaceAll("/", ".");
      const resource = `${g.principal} ${g.role}`;
      if (!(await canGrant(auth, held, g))) {
        audit(action, g.project, g.domain, resource, "PERMISSION_DENIED");
        throw denied(`${p.subject} may not change ${g.role} grants in ${g.project}/${g.domain}`);
      }
      if (op === "auth/grants/add") {
        await auth.grants.add(g, p.subject);
        audit(action, g.project, g.domain, resource, "OK");
        return {};
      }
      const removed = await auth.grants.remove(g);
      audit(action, g.project, g.domain, resource, removed ? "OK" : "NOT_FOUND");
      return { removed };
    }
    case "auth/grants/list": {
      const project = body.project === undefined ? undefined : str(body, "project");
      if (!orgAdmin && (project === undefined || !allows(held, "admin", project, undefined) && !held.some((g) => g.project === project && g.role === "admin"))) {
        throw denied(`${p.subject} may list grants only of projects it administers (give project)`);
      }
      return { grants: await auth.grants.list(project) };
    }
    case "audit/list": {
      const project = body.project === undefined ? undefined : str(body, "project");
      if (!orgAdmin && (project === undefined || !held.some((g) => g.project === project && g.role === "admin"))) {
        throw denied(`${p.subject} may read the audit log only of projects it administers (give project)`);
      }
      const limit = body.limit ?? 100;
      if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT) throw new InvalidArgumentError(`limit: must be an integer from 1 to ${MAX_AUDIT}`);
      let since: Date | undefined;
      if (body.since !== undefined) {
        since = new Date(str(body, "since"));
        if (Number.isNaN(since.getTime())) throw new InvalidArgumentError("since: must be an ISO 8601 time");
      }
      const q = {
        limit,
        ...(project !== undefined ? { project } : {}),
        ...(body.principal !== undefined ? { principal: str(body, "principal", PRINCIPAL) } : {}),
        ...(body.action !== undefined ? { action: str(body, "action") } : {}),
        ...(since ? { since } : {}),
      };
      return { entries: await auth.audit.query(q) };
    }
    default:
      return undefined;
  }
}

/** The routes above as an extra route of the server's port; returns false for paths it does not own. */
export function authRoute(auth: AuthService): (req: Req, res: Res) => Promise<boolean> {
  return async (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === TOKEN_PATH) {
      await token(auth, req, res);
      return true;
    }
    if (path === JWKS_PATH || path === "/.well-known/oauth-authorization-server") {
      if (req.method !== "GET") return false;
      reply(res, 200, path === JWKS_PATH ? auth.issuer.jwks() : auth.external ? await auth.external.metadata() : builtInMetadata(auth.issuer.url));
      return true;
    }
    if (!path.startsWith("/aloft/v1/auth/") && path !== "/aloft/v1/audit/list") return false;
    try {
      if (req.method !== "POST") throw new InvalidArgumentError(`${req.method} ${path}: only POST is allowed`);
      const type = String(req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== "application/json") throw new InvalidArgumentError(`content-type must be application/json, got ${JSON.stringify(type)}`);
      const principal = await auth.authenticate(headersOf(req));
      const result = await manage(auth, principal, path.slice("/aloft/v1/".length), await readJson(req, MAX_BODY));
      if (result === undefined) reply(res, 404, { code: 5, message: `no route ${path}`, details: [] });
      else reply(res, 200, result);
    } catch (e) {
      const err: ConnectError = toConnectError(e);
      reply(res, httpStatusOf(err.code), { code: err.code, message: err.rawMessage, details: [], status: codeName(err) });
    }
    return true;
  };
}
