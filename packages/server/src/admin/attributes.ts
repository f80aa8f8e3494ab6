// Matchable attributes (execution config, labels, queues, ...) at project, project-domain and workflow level.
// One row per level and resource type; the resource type is the attributes' oneof case.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { admin } from "@aloft/idl";
import { InvalidArgumentError, NotFoundError } from "../errors.ts";
import type { AdminContext } from "../context.ts";
import { requirePresent, requireProjectAndDomain, requireString } from "./validate.ts";
import { invalidateSettings } from "./entity-cache.ts";

const resourceTypeByCase: Record<string, admin.MatchableResource> = {
  taskResourceAttributes: admin.MatchableResource.TASK_RESOURCE,
  clusterResourceAttributes: admin.MatchableResource.CLUSTER_RESOURCE,
  executionQueueAttributes: admin.MatchableResource.EXECUTION_QUEUE,
  executionClusterLabel: admin.MatchableResource.EXECUTION_CLUSTER_LABEL,
  qualityOfService: admin.MatchableResource.QUALITY_OF_SERVICE_SPECIFICATION,
  pluginOverrides: admin.MatchableResource.PLUGIN_OVERRIDE,
  workflowExecutionConfig: admin.MatchableResource.WORKFLOW_EXECUTION_CONFIG,
  clusterAssignment: admin.MatchableResource.CLUSTER_ASSIGNMENT,
};

interface Level {
  project: string;
  domain: string;
  workflow: string;
}

function typeOf(attrs: admin.MatchingAttributes | undefined, field: string): admin.MatchableResource {
  const a = requirePresent(attrs, field);
  const t = a.target.case ? resourceTypeByCase[a.target.case] : undefined;
  if (t === undefined) throw new InvalidArgumentError(`${field}: no attribute value set`);
  return t;
}

async function put(ctx: AdminContext, level: Level, attrs: admin.MatchingAttributes | undefined, field: string): Promise<void> {
  const rt = typeOf(attrs, field);
  const bytes = toBinary(admin.MatchingAttributesSchema, attrs!);
  await ctx.db
    .insertInto("admin_resource_attributes")
    .values({ ...level, launch_plan: "", resource_type: rt, attributes: bytes, updated_at: ctx.now() })
    .onConflict((oc) => oc.columns(["project", "domain", "workflow", "launch_plan", "resource_type"]).doUpdateSet({ attributes: bytes, updated_at: ctx.now() }))
    .execute();
  invalidateSettings(ctx.db as never);
}

async function get(ctx: AdminContext, level: Level, rt: admin.MatchableResource): Promise<admin.MatchingAttributes> {
  const row = await ctx.db.selectFrom("admin_resource_attributes").select("attributes").where("project", "=", level.project).where("domain", "=", level.domain).where("workflow", "=", level.workflow).where("launch_plan", "=", "").where("resource_type", "=", rt).executeTakeFirst();
  if (!row) throw new NotFoundError(`no ${admin.MatchableResource[rt]} attributes for ${[level.project, level.domain, level.workflow].filter(Boolean).join("/")}`);
  return fromBinary(admin.MatchingAttributesSchema, row.attributes);
}

async function remove(ctx: AdminContext, level: Level, rt: admin.MatchableResource): Promise<void> {
  await get(ctx, level, rt);
  await ctx.db.deleteFrom("admin_resource_attributes").where("project", "=", level.project).where("domain", "=", level.domain).where("workflow", "=", level.workflow).where("launch_plan", "=", "").where("resource_type", "=", rt).execute();
  invalidateSettings(ctx.db as never);
}

export async function updateProjectDomainAttributes(ctx: AdminContext, req: admin.ProjectDomainAttributesUpdateRequest): Promise<admin.ProjectDomainAttributesUpdateResponse> {
  const a = requirePresent(req.attributes, "attributes");
  const level = { project: requireString(a.project, "attributes.project"), domain: requireString(a.domain, "attributes.domain"), workflow: "" };
  await requireProjectAndDomain(ctx, level.project, level.domain);
  await put(ctx, level, a.matchingAttributes, "attributes.matching_attributes");
  return create(admin.ProjectDomainAttributesUpdateResponseSchema, {});
}

export async function getProjectDomainAttributes(ctx: AdminContext, req: admin.ProjectDomainAttributesGetRequest): Promise<admin.ProjectDomainAttributesGetResponse> {
  const level = { project: requireString(req.project, "project"), domain: requireString(req.domain, "domain"), workflow: "" };
  const m = await get(ctx, level, req.resourceType);
  return create(admin.ProjectDomainAttributesGetResponseSchema, { attributes: { project: level.project, domain: level.domain, matchingAttributes: m } });
}

export async function deleteProjectDomainAttributes(ctx: AdminContext, req: admin.ProjectDomainAttributesDeleteRequest): Promise<admin.ProjectDomainAttributesDeleteResponse> {
  await remove(ctx, { project: requireString(req.project, "project"), domain: requireString(req.domain, "domain"), workflow: "" }, req.resourceType);
  return create(admin.ProjectDomainAttributesDeleteResponseSchema, {});
}

export async function updateProjectAttributes(ctx: AdminContext, req: admin.ProjectAttributesUpdateRequest): Promise<admin.ProjectAttributesUpdateResponse> {
  const a = requirePresent(req.attributes, "attributes");
  await put(ctx, { project: requireString(a.project, "attributes.project"), domain: "", workflow: "" }, a.matchingAttributes, "attributes.matching_attributes");
  return create(admin.ProjectAttributesUpdateResponseSchema, {});
}

export async function getProjectAttributes(ctx: AdminContext, req: admin.ProjectAttributesGetRequest): Promise<admin.ProjectAttributesGetResponse> {
  const project = requireString(req.project, "project");
  const m = await get(ctx, { project, domain: "", workflow: "" }, req.resourceType);
  return create(admin.ProjectAttributesGetResponseSchema, { attributes: { project, matchingAttributes: m } });
}

export async function deleteProjectAttributes(ctx: AdminContext, req: admin.ProjectAttributesDeleteRequest): Promise<admin.ProjectAttributesDeleteResponse> {
  await remove(ctx, { project: requireString(req.project, "project"), domain: "", workflow: "" }, req.resourceType);
  return create(admin.ProjectAttributesDeleteResponseSchema, {});
}

export async function updateWorkflowAttributes(ctx: AdminContext, req: admin.WorkflowAttributesUpdateRequest): Promise<admin.WorkflowAttributesUpdateResponse> {
  const a = requirePresent(req.attributes, "attributes");
  const level = { project: requireString(a.project, "attributes.project"), domain: requireString(a.domain, "attributes.domain"), workflow: requireString(a.workflow, "attributes.workflow") };
  await requireProjectAndDomain(ctx, level.project, level.domain);
  await put(ctx, level, a.matchingAttributes, "attributes.matching_attributes");
  return create(admin.WorkflowAttributesUpdateResponseSchema, {});
}

export async function getWorkflowAttributes(ctx: AdminContext, req: admin.WorkflowAttributesGetRequest): Promise<admin.WorkflowAttributesGetResponse> {
  const level = { project: requireString(req.project, "project"), domain: requireString(req.domain, "domain"), workflow: requireString(req.workflow, "workflow") };
  const m = await get(ctx, level, req.resourceType);
  return create(admin.WorkflowAttributesGetResponseSchema, { attributes: { ...level, matchingAttributes: m } });
}

export async function deleteWorkflowAttributes(ctx: AdminContext, req: admin.WorkflowAttributesDeleteRequest): Promise<admin.WorkflowAttributesDeleteResponse> {
  await remove(ctx, { project: requireString(req.project, "project"), domain: requireString(req.domain, "domain"), workflow: requireString(req.workflow, "workflow") }, req.resourceType);
  return create(admin.WorkflowAttributesDeleteResponseSchema, {});
}

export async function listMatchableAttributes(ctx: AdminContext, req: admin.ListMatchableAttributesRequest): Promise<admin.ListMatchableAttributesResponse> {
  const rows = await ctx.db.selectFrom("admin_resource_attributes").selectAll().where("resource_type", "=", req.resourceType).orderBy("project").orderBy("domain").orderBy("workflow").execute();
  return create(admin.ListMatchableAttributesResponseSchema, {
    configurations: rows.map((r) => ({ project: r.project, domain: r.domain, workflow: r.workflow, launchPlan: r.launch_plan, attributes: fromBinary(admin.MatchingAttributesSchema, r.attributes) })),
  });
}
