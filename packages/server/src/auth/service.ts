// Authentication, authorization and the audit log of one server, put together from the configuration. The
// database arrives with the application context (it may still be starting when the server opens its port).
import { Code, ConnectError } from "@connectrpc/connect";
import type { DescMessage, Message } from "@bufbuild/protobuf";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { AdminContext } from "../context.ts";
import { AuditLog } from "../audit/audit-log.ts";
import type { AuthConfig } from "./config.ts";
import { ApiKeys } from "./api-keys.ts";
import { Grants } from "./grants.ts";
import { BuiltInIssuer } from "./issuer.ts";
import { ExternalIssuer } from "./external-issuer.ts";
import { authenticate } from "./authenticate.ts";
import { identitiesOf, type Principal } from "./principal.ts";
import { allows, isOrgAdmin, type Grant } from "./roles.ts";
import type { Rule } from "./rules.ts";
import { scopeAt, type Scope } from "./scope.ts";
import type { AuthTables } from "./migrations.ts";

export interface AuthService {
  config: AuthConfig;
  keys: ApiKeys;
  grants: Grants;
  audit: AuditLog;
  issuer: BuiltInIssuer;
  external: ExternalIssuer | undefined;
  authenticate(headers: Headers): Promise<Principal>;
  grantsOf(p: Principal): Promise<Grant[]>;
  /** Checks a call against its rule; returns the call's scope (for the audit log) or throws PERMISSION_DENIED. */
  authorize(p: Principal, rule: Rule, input: DescMessage, req: Message): Promise<Scope | undefined>;
  close(): Promise<void>;
}

export interface AuthServiceOptions {
  config: AuthConfig;
  context: AdminContext | Promise<AdminContext>;
  /** The built-in issuer's URL (`iss`); the server completes it once its port is known. */
  issuerUrl: string;
  /** Where the built-in issuer's signing key is kept (0600); in memory when absent. */
  keyFile?: string;
  log?: Logger;
}

export const denied = (why: string) => new ConnectError(why, Code.PermissionDenied);

export async function createAuthService(o: AuthServiceOptions): Promise<AuthService> {
  const db = async () => (await o.context).db as unknown as Kysely<AuthTables>;
  const keys = new ApiKeys(db);
  const grants = new Grants(db, o.config.orgAdmins);
  const issuer = await BuiltInIssuer.create(o.issuerUrl, o.keyFile);
  const external = o.config.issuer ? new ExternalIssuer(o.config) : undefined;
  const audit = new AuditLog(db, o.log);
  const authenticators = { keys, builtIn: issuer, external, groupsClaim: o.config.groupsClaim };
  const grantsOf = (p: Principal) => grants.of(identitiesOf(p));
  return {
    config: o.config,
    keys,
    grants,
    audit,
    issuer,
    external,
    authenticate: (headers) => authenticate(headers, authenticators),
    grantsOf,
    async authorize(p, rule, input, req) {
      if (rule.need === "anonymous" || rule.need === "authenticated") return undefined;
      const held = await grantsOf(p);
      if (rule.need === "org-admin") {
        if (!isOrgAdmin(held)) throw denied(`${p.subject} is not an organization admin`);
        return undefined;
      }
      const scope = scopeAt(input, req, rule.scope ?? "", rule.projectField);
      if (!allows(held, rule.need, scope.project, scope.domain)) {
        const where = scope.domain === undefined ? `project ${JSON.stringify(scope.project)}` : `${JSON.stringify(scope.project)}/${JSON.stringify(scope.domain)}`;
        throw denied(`${p.subject} may not ${rule.need} in ${where} (needs the ${rule.need === "read" ? "viewer" : rule.need === "write" ? "contributor" : "admin"} role there)`);
      }
      for (const path of rule.reads ?? []) {
        const other = scopeAt(input, req, path);
        if (other.project !== "" && !allows(held, "read", other.project, other.domain)) {
          throw denied(`${p.subject} may not read ${JSON.stringify(other.project)}/${JSON.stringify(other.domain ?? "")}, named by ${path}`);
        }
      }
      return scope;
    },
    close: () => audit.flush(),
  };
}
