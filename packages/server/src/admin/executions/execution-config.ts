// Execution settings from matchable attributes (WORKFLOW_EXECUTION_CONFIG), as flyteadmin applies them: what the
// request and the launch plan leave unset comes from the most specific attributes that exist — workflow, then
// project-domain, then project.
import { fromBinary } from "@bufbuild/protobuf";
import { admin } from "@aloft/idl";
import type { AdminContext } from "../../context.ts";
import { groupOf } from "../group.ts";
import { cachedSetting } from "../entity-cache.ts";

interface Scope {
  project: string;
  domain: string;
  workflow: string;
}

async function mostSpecific(ctx: AdminContext, project: string, domain: string, workflow: string): Promise<admin.WorkflowExecutionConfig | undefined> {
  // Kept up to a second (dropped at once when this server changes attributes); concurrent misses share one read.
  const bytes = await cachedSetting(ctx.db as never, `execution-config:${project}\u0000${domain}\u0000${workflow}`, () =>
    groupOf(ctx, "execution-config", (scopes: Scope[]) => loadMostSpecific(ctx, scopes)).run({ project, domain, workflow }),
  );
  if (!bytes) return undefined;
  // Decoded per request: the config's messages end up in that request's spec.
  const m = fromBinary(admin.MatchingAttributesSchema, bytes);
  return m.target.case === "workflowExecutionConfig" ? m.target.value : undefined;
}

/** The encoded attributes that apply to each scope, most specific first found. */
async function loadMostSpecific(ctx: AdminContext, scopes: Scope[]): Promise<(Uint8Array | undefined)[]> {
  const uniq = <T>(xs: T[]) => [...new Set(xs)];
  const rows = await ctx.db
    .selectFrom("admin_resource_attributes")
    .select(["project", "domain", "workflow", "attributes"])
    .where("project", "in", uniq(scopes.map((s) => s.project)))
    .where("resource_type", "=", admin.MatchableResource.WORKFLOW_EXECUTION_CONFIG)
    .where("launch_plan", "=", "")
    .where("domain", "in", uniq(["", ...scopes.map((s) => s.domain)]))
    .where("workflow", "in", uniq(["", ...scopes.map((s) => s.workflow)]))
    .execute();
  return scopes.map(({ project, domain, workflow }) => {
    // Workflow level, then project-domain, then project; a workflow attribute needs its domain too.
    const fits = (r: (typeof rows)[number], d: string, w: string) => r.project === project && r.domain === d && r.workflow === w;
    const best = rows.find((r) => fits(r, domain, workflow)) ?? rows.find((r) => fits(r, domain, "")) ?? rows.find((r) => fits(r, "", ""));
    return best?.attributes;
  });
}

export async function applyExecutionConfig(ctx: AdminContext, spec: admin.ExecutionSpec, project: string, domain: string, workflow: string): Promise<void> {
  const c = await mostSpecific(ctx, project, domain, workflow);
  if (!c) return;
  if (spec.maxParallelism === 0) spec.maxParallelism = c.maxParallelism;
  if (!spec.securityContext) spec.securityContext = c.securityContext;
  if (!spec.rawOutputDataConfig?.outputLocationPrefix) spec.rawOutputDataConfig = c.rawOutputDataConfig ?? spec.rawOutputDataConfig;
  if (!spec.labels || Object.keys(spec.labels.values).length === 0) spec.labels = c.labels ?? spec.labels;
  if (!spec.annotations || Object.keys(spec.annotations.values).length === 0) spec.annotations = c.annotations ?? spec.annotations;
  if (!spec.interruptible) spec.interruptible = c.interruptible;
  if (!spec.overwriteCache) spec.overwriteCache = c.overwriteCache;
  if (!spec.envs || spec.envs.values.length === 0) spec.envs = c.envs ?? spec.envs;
}
