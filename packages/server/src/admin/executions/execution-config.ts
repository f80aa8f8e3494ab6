// Execution settings from matchable attributes (WORKFLOW_EXECUTION_CONFIG), as flyteadmin applies them: what the
// request and the launch plan leave unset comes from the most specific attributes that exist — workflow, then
// project-domain, then project.
import { fromBinary } from "@bufbuild/protobuf";
import { admin } from "@aloft/idl";
import type { AdminContext } from "../../context.ts";

async function mostSpecific(ctx: AdminContext, project: string, domain: string, workflow: string): Promise<admin.WorkflowExecutionConfig | undefined> {
  const rows = await ctx.db
    .selectFrom("admin_resource_attributes")
    .select(["domain", "workflow", "attributes"])
    .where("project", "=", project)
    .where("resource_type", "=", admin.MatchableResource.WORKFLOW_EXECUTION_CONFIG)
    .where("launch_plan", "=", "")
    .where((eb) => eb.or([eb.and([eb("domain", "=", domain), eb("workflow", "=", workflow)]), eb.and([eb("domain", "=", domain), eb("workflow", "=", "")]), eb.and([eb("domain", "=", ""), eb("workflow", "=", "")])]))
    .execute();
  const rank = (r: { domain: string; workflow: string }) => (r.workflow ? 0 : r.domain ? 1 : 2);
  const best = rows.sort((a, b) => rank(a) - rank(b))[0];
  if (!best) return undefined;
  const m = fromBinary(admin.MatchingAttributesSchema, best.attributes);
  return m.target.case === "workflowExecutionConfig" ? m.target.value : undefined;
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
