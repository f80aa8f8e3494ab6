// Authentication and project roles on a real server (gRPC and REST) over a real database. The table is generated
// from the service descriptors: every RPC and every REST route is called without credentials, with another
// project's credentials and (writes) with a Viewer's; each must be refused and change nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, getOption, toJson, type DescField, type DescMessage, type DescMethod, type Message } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { googleapi, service } from "@aloft/idl";
import { sql } from "kysely";
import { RecordingLauncher, startHarness, type Harness } from "../harness.ts";
import { createAuthService, type AuthService } from "../../src/auth/service.ts";
import { defaultAuthConfig } from "../../src/auth/config.ts";
import { rules, type Rule } from "../../src/auth/rules.ts";
import { serviceBindings } from "../../src/services/bindings.ts";
import type { AdminContext } from "../../src/context.ts";
import { echoEntities } from "../fixtures/echo.ts";

let h: Harness;
let auth: AuthService;
const launcher = new RecordingLauncher();
const keys: Record<"admin" | "contributor" | "viewer" | "other", string> = { admin: "", contributor: "", viewer: "", other: "" };
const P = "pa";
const D = "development";

const services = serviceBindings(new Promise<AdminContext>(() => {})).map((b) => b.service);
const methods = services.flatMap((s) => s.methods.map((m) => ({ key: `${s.name}.${m.localName}`, method: m, rule: rules[`${s.name}.${m.localName}`]! })));
// Expectations are written here, not read from the rule table, so a wrong rule fails: only these methods are
// open to any signed-in caller (or to anyone), and only get/list methods and download links are reads.
const OPEN = new Set([
  "AuthMetadataService.getOAuth2Metadata",
  "AuthMetadataService.getPublicClientConfig",
  "IdentityService.userInfo",
  "AdminService.getVersion",
  "AdminService.getDomains",
  "AdminService.listProjects",
  "AdminService.listMatchableAttributes",
]);
const ANONYMOUS = new Set(["AuthMetadataService.getOAuth2Metadata", "AuthMetadataService.getPublicClientConfig"]);
const scoped = (key: string) => !OPEN.has(key);
const writes = (key: string) => !OPEN.has(key) && !/\.(get|list|createDownload)[A-Z]/.test(key.replace(".getOrCreateSignal", ".createSignal"));

function setAt(desc: DescMessage, msg: Record<string, unknown>, path: string, projectField = "project"): void {
  let d = desc;
  let m = msg;
  for (const step of path === "" ? [] : path.split(".")) {
    const f = d.fields.find((x) => x.localName === step) as DescField & { fieldKind: "message" };
    const next = create(f.message) as unknown as Record<string, unknown>;
    if (f.oneof) m[f.oneof.localName] = { case: f.localName, value: next };
    else m[f.localName] ??= next;
    m = (f.oneof ? next : m[f.localName]) as Record<string, unknown>;
    d = f.message;
  }
  m[projectField] = P;
  if (d.fields.some((x) => x.localName === "domain")) m.domain = D;
  if (d.fields.some((x) => x.localName === "name")) m.name = (m.name as string) || "x";
}

/** A request aimed at project pa / development at every path its rule reads. */
function requestFor(method: DescMethod, rule: Rule): Message {
  const msg = create(method.input) as unknown as Record<string, unknown>;
  if (rule.scope !== undefined) setAt(method.input, msg, rule.scope, rule.projectField);
  for (const p of rule.reads ?? []) setAt(method.input, msg, p);
  return msg as unknown as Message;
}

async function call(key: string, method: DescMethod, req: Message, bearer?: string): Promise<Code | "OK"> {
  const svc = services.find((s) => s.methods.includes(method))!;
  const client = createClient(svc, createGrpcTransport({ baseUrl: h.server.url })) as unknown as Record<string, (r: Message, o: object) => Promise<Message>>;
  try {
    await client[method.localName]!(req, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
    return "OK";
  } catch (e) {
    return ConnectError.from(e).code;
  }
}

/** Everything the server keeps, as one digest per table. */
async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of ["admin_projects", "admin_tasks", "admin_workflows", "admin_launch_plans", "admin_named_entities", "admin_executions", "admin_node_executions", "admin_task_executions", "admin_signals", "admin_resource_attributes", "admin_description_entities", "auth_api_keys", "auth_grants"]) {
    const r = await sql<{ d: string | null }>`select md5(string_agg(t::text, ',' order by t::text)) as d from ${sql.table(t)} t`.execute(h.ctx.db);
    out[t] = r.rows[0]?.d ?? "empty";
  }
  out.launcher = JSON.stringify([launcher.launched.length, launcher.terminated, launcher.signals]);
  return out;
}

beforeAll(async () => {
  let resolve!: (c: AdminContext) => void;
  const ctx = new Promise<AdminContext>((r) => (resolve = r));
  auth = await createAuthService({ config: { ...defaultAuthConfig(), enabled: true }, context: ctx, issuerUrl: "http://aloft.test" });
  h = await startHarness({ launcher, server: { auth } });
  resolve(h.ctx);
  const grant = async (name: keyof typeof keys, project: string, domain: string, role: "viewer" | "contributor" | "admin" | "org-admin") => {
    const k = await auth.keys.create(name, "test");
    keys[name] = k.key;
    await auth.grants.add({ principal: `key:${k.id}`, project, domain, role }, "test");
  };
  await grant("admin", "*", "*", "org-admin");
  await grant("contributor", P, D, "contributor");
  await grant("viewer", P, "*", "viewer");
  await grant("other", "pb", "*", "admin");
  const admin = createClient(service.AdminService, createGrpcTransport({ baseUrl: h.server.url, interceptors: [(next) => (req) => (req.header.set("authorization", `Bearer ${keys.admin}`), next(req))] }));
  for (const id of [P, "pb"]) await admin.registerProject({ project: { id, name: id, domains: [] } });
  const e = echoEntities(P, D, "v1");
  await admin.createTask(e.task);
  await admin.createWorkflow(e.workflow);
  await admin.createLaunchPlan(e.launchPlan);
  await admin.createExecution({ project: P, domain: D, name: "e1", spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: {} } }).catch(() => undefined);
}, 60_000);
afterAll(async () => h?.close());

describe("every RPC, generated from the service descriptors", () => {
  it("covers every method of every service the server binds", () => {
    expect(methods.length).toBeGreaterThan(60);
    expect(methods.filter((m) => m.rule === undefined).map((m) => m.key)).toEqual([]);
  });

  it("answers UNAUTHENTICATED without credentials, PERMISSION_DENIED to another project and to a Viewer's writes, and changes nothing", async () => {
    const before = await snapshot();
    const wrong: string[] = [];
    for (const { key, method, rule } of methods) {
      const req = requestFor(method, rule);
      if (ANONYMOUS.has(key)) continue;
      const anonymous = await call(key, method, req);
      if (anonymous !== Code.Unauthenticated) wrong.push(`${key} without credentials: ${anonymous}`);
      const garbage = await call(key, method, req, "aloft_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
      if (garbage !== Code.Unauthenticated) wrong.push(`${key} with an unknown key: ${garbage}`);
      if (scoped(key)) {
        const other = await call(key, method, req, keys.other);
        if (other !== Code.PermissionDenied) wrong.push(`${key} with another project's admin key: ${other}`);
      }
      if (writes(key)) {
        const viewer = await call(key, method, req, keys.viewer);
        if (viewer !== Code.PermissionDenied) wrong.push(`${key} as a Viewer: ${viewer}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  it("lets each role through to what it holds (the handler answers, whatever it says)", async () => {
    const wrong: string[] = [];
    for (const { key, method, rule } of methods) {
      const req = requestFor(method, rule);
      if (rule.need === "read") {
        const r = await call(key, method, req, keys.viewer);
        if (r === Code.PermissionDenied || r === Code.Unauthenticated) wrong.push(`${key} as a Viewer: ${r}`);
      }
      if (rule.need === "write" && !key.includes("Signal") && !key.endsWith("Execution") && !key.endsWith("Location")) {
        const r = await call(key, method, req, keys.contributor);
        if (r === Code.PermissionDenied || r === Code.Unauthenticated) wrong.push(`${key} as a Contributor: ${r}`);
      }
      if (rule.need === "authenticated") {
        const r = await call(key, method, req, keys.viewer);
        if (r === Code.PermissionDenied || r === Code.Unauthenticated) wrong.push(`${key} signed in: ${r}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});

describe("every REST route", () => {
  const routes = methods.flatMap(({ key, method, rule }) => {
    const http = getOption(method, googleapi.http);
    return [http, ...http.additionalBindings].filter((r) => r.pattern.case !== undefined && r.pattern.case !== "custom").map((r) => ({ key, method, rule, verb: r.pattern.case!.toUpperCase(), template: r.pattern.value as string, body: r.body }));
  });

  function urlOf(template: string, req: Message, method: DescMethod): string {
    const json = toJson(method.input, req, { useProtoFieldName: true, alwaysEmitImplicit: true }) as Record<string, unknown>;
    return template.replace(/\{([^}=]+)(=[^}]*)?\}/g, (_, path: string) => {
      const v = path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], json);
      return encodeURIComponent(typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : "x");
    });
  }

  it("answers 401 without credentials and 403 to another project, changing nothing", async () => {
    expect(routes.length).toBeGreaterThan(50);
    const before = await snapshot();
    const wrong: string[] = [];
    for (const { key, method, rule, verb, template, body } of routes) {
      if (ANONYMOUS.has(key)) continue;
      const req = requestFor(method, rule);
      const init = (bearer?: string): RequestInit => ({
        method: verb,
        headers: { "content-type": "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
        ...(body === "*" ? { body: JSON.stringify(toJson(method.input, req, { useProtoFieldName: true })) } : {}),
      });
      const url = `${h.server.url}${urlOf(template, req, method)}`;
      const anonymous = (await fetch(url, init())).status;
      if (anonymous !== 401) wrong.push(`${verb} ${template} (${key}) without credentials: ${anonymous}`);
      if (scoped(key)) {
        const other = (await fetch(url, init(keys.other))).status;
        if (other !== 403) wrong.push(`${verb} ${template} (${key}) with another project's key: ${other}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }, 120_000);
});

describe("lists, the audit log and keys", () => {
  const client = (bearer: string) => createClient(service.AdminService, createGrpcTransport({ baseUrl: h.server.url, interceptors: [(next) => (req) => (req.header.set("authorization", `Bearer ${bearer}`), next(req))] }));
  const post = async (path: string, bearer: string, body: unknown) => {
    const r = await fetch(`${h.server.url}/aloft/v1/${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` }, body: JSON.stringify(body) });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };

  it("lists only the projects the caller holds a role in", async () => {
    expect((await client(keys.viewer).listProjects({})).projects.map((p) => p.id)).toEqual([P]);
    expect((await client(keys.other).listProjects({})).projects.map((p) => p.id)).toEqual(["pb"]);
    expect((await client(keys.admin).listProjects({})).projects.map((p) => p.id).sort()).toEqual([P, "pb"]);
  });

  it("records writes with who, what and the outcome, refused ones included", async () => {
    await client(keys.viewer).updateLaunchPlan({ id: echoEntities(P, D, "v1").ids.launchPlan, state: 1 }).catch(() => undefined);
    const { status, json } = await post("audit/list", keys.admin, { project: P, limit: 500 });
    expect(status).toBe(200);
    const entries = json.entries as { principal: string; action: string; outcome: string; resource: string }[];
    expect(entries).toContainEqual(expect.objectContaining({ action: "AdminService.createTask", outcome: "OK", resource: "pa/development/echo.t/v1" }));
    expect(entries).toContainEqual(expect.objectContaining({ action: "AdminService.updateLaunchPlan", outcome: "PERMISSION_DENIED" }));
    expect(entries.every((e) => !JSON.stringify(e).includes("aloft_"))).toBe(true);
    expect((await post("audit/list", keys.viewer, { project: P })).status).toBe(403);
  });

  it("creates a key shown once, lists it without its secret, and refuses it once revoked", async () => {
    const created = await post("auth/keys/create", keys.admin, { name: "ci" });
    expect(created.status).toBe(200);
    const key = created.json.key as string;
    expect(key).toMatch(/^aloft_[0-9a-f]{16}_/);
    const listed = await post("auth/keys/list", keys.admin, {});
    expect(JSON.stringify(listed.json)).not.toContain(key.slice(24));
    expect((listed.json.keys as { id: string }[]).map((k) => k.id)).toContain(created.json.id);
    expect(JSON.stringify(await sql`select * from auth_api_keys`.execute(h.ctx.db))).not.toContain(key.slice(24));
    expect((await post("auth/grants/add", keys.admin, { principal: `key:${created.json.id}`, project: P, domain: D, role: "viewer" })).status).toBe(200);
    expect((await client(key).listProjects({})).projects.map((p) => p.id)).toEqual([P]);
    expect((await post("auth/keys/revoke", keys.admin, { id: created.json.id })).json).toEqual({ revoked: true });
    await expect(client(key).listProjects({})).rejects.toMatchObject({ code: Code.Unauthenticated });
    expect((await post("auth/keys/create", keys.viewer, { name: "x" })).status).toBe(403);
  });

  it("issues client-credentials tokens for API keys (flytekit's ClientSecret flow)", async () => {
    const id = (/^aloft_([0-9a-f]{16})_/.exec(keys.viewer) ?? [])[1]!;
    const form = (secret: string) => fetch(`${h.server.url}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}` },
      body: "grant_type=client_credentials&scope=all",
    });
    const res = await form(keys.viewer);
    expect(res.status).toBe(200);
    const token = ((await res.json()) as { access_token: string }).access_token;
    expect((await client(token).listProjects({})).projects.map((p) => p.id)).toEqual([P]);
    expect((await form(keys.contributor)).status).toBe(401);
    const meta = await createClient(service.AuthMetadataService, createGrpcTransport({ baseUrl: h.server.url })).getOAuth2Metadata({});
    expect(meta.tokenEndpoint).toBe("http://aloft.test/oauth2/token");
  });
});
