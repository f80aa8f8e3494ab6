// The guard in front of every RPC when authentication is on: each method of each served service (implemented or
// not) first authenticates the caller and checks its rule (rules.ts), writes are recorded in the audit log with
// their outcome, and list answers are trimmed to the projects the caller may see.
import { create, type DescMethod, type Message } from "@bufbuild/protobuf";
import { admin } from "@aloft/idl";
import type { ServiceBinding, UnaryHandler } from "../transport/binding.ts";
import { toConnectError } from "../status.ts";
import { UnimplementedError } from "../errors.ts";
import { Code } from "@connectrpc/connect";
import { rules, type Rule } from "./rules.ts";
import type { AuthService } from "./service.ts";
import { allows, visibleProjects, type Grant } from "./roles.ts";
import type { Principal } from "./principal.ts";
import { scopeAt, type Scope } from "./scope.ts";

const audited = new Set(["write", "admin", "org-admin"]);

/** `PERMISSION_DENIED` for Code.PermissionDenied: the names clients and flyteadmin's docs use. */
export function codeName(e: unknown): string {
  return Code[toConnectError(e).code].replace(/[A-Z]/g, (c, i: number) => (i > 0 ? "_" : "") + c).toUpperCase();
}

export function ruleFor(serviceName: string, method: DescMethod): Rule {
  const rule = rules[`${serviceName}.${method.localName}`];
  if (!rule) throw new Error(`no authorization rule for ${serviceName}.${method.localName}: add one to auth/rules.ts`);
  return rule;
}

function resourceOf(req: Message, scope: Scope | undefined, out?: Message): string {
  const r = req as unknown as Record<string, unknown>;
  // A created execution's name may be chosen by the server: its answer names it.
  const answered = (out as unknown as { id?: { name?: unknown } } | undefined)?.id;
  const id = (typeof answered?.name === "string" ? answered : (r.id ?? r)) as Record<string, unknown>;
  const parts = [scope?.project, scope?.domain, id.name ?? r.name, id.version].filter((p): p is string => typeof p === "string" && p !== "");
  return parts.join("/");
}

function trim(rule: Rule, out: Message, grants: Grant[]): Message {
  if (rule.filter === "projects") {
    const visible = visibleProjects(grants);
    if (visible === "all") return out;
    const projects = out as admin.Projects;
    return create(admin.ProjectsSchema, { ...projects, projects: projects.projects.filter((p) => visible.has(p.id)) });
  }
  if (rule.filter === "configurations") {
    const res = out as admin.ListMatchableAttributesResponse;
    return create(admin.ListMatchableAttributesResponseSchema, { configurations: res.configurations.filter((c) => allows(grants, "read", c.project, c.domain)) });
  }
  return out;
}

export function guardBindings(bindings: ServiceBinding[], auth: AuthService): ServiceBinding[] {
  return bindings.map(({ service, handlers }) => ({
    service,
    handlers: Object.fromEntries(
      service.methods.map((method) => {
        const rule = ruleFor(service.name, method);
        const inner = handlers[method.localName];
        const action = `${service.name}.${method.localName}`;
        const unimplemented = () => new UnimplementedError(`${service.name}.${method.name} is not implemented by Aloft`);
        const guarded: UnaryHandler = async (req, call) => {
          if (rule.need === "anonymous") {
            if (!inner) throw unimplemented();
            return inner(req, call);
          }
          const principal: Principal = await auth.authenticate(call.headers);
          const record = audited.has(rule.need)
            ? (scope: Scope | undefined, outcome: string, out?: Message) =>
                auth.audit.record({ principal: principal.subject, action, project: scope?.project ?? "", domain: scope?.domain ?? "", resource: resourceOf(req, scope, out), outcome })
            : undefined;
          let scope: Scope | undefined;
          try {
            scope = await auth.authorize(principal, rule, method.input, req);
          } catch (e) {
            record?.(rule.scope === undefined ? undefined : scopeAt(method.input, req, rule.scope, rule.projectField), codeName(e));
            throw e;
          }
          if (!inner) throw unimplemented();
          try {
            const out = await inner(req, call);
            record?.(scope, "OK", out);
            return rule.filter ? trim(rule, out, await auth.grantsOf(principal)) : out;
          } catch (e) {
            record?.(scope, codeName(e));
            throw e;
          }
        };
        return [method.localName, guarded];
      }),
    ),
  }));
}
