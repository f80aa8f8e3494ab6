// Description entities: the long descriptions (and source links) flytekit sends inside task and workflow specs,
// kept per version as flyteadmin does, for consoles and `GetDescriptionEntity`.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { admin, core } from "@aloft/idl";
import { InvalidArgumentError, NotFoundError } from "../errors.ts";
import type { AdminContext } from "../context.ts";
import type { DescriptionEntityRow } from "../db/schema.ts";
import { applyListQuery, page, parseListQuery } from "../query/list-query.ts";
import { taskColumns } from "../query/columns.ts";
import { requireIdentifier, requirePresent, requireString, type Key } from "./validate.ts";

/** Called by task and workflow registration; an identical re-registration leaves the stored one. */
export async function saveDescription(ctx: AdminContext, resourceType: core.ResourceType, key: Key, d: admin.DescriptionEntity | undefined): Promise<void> {
  if (!d) return;
  const entity = create(admin.DescriptionEntitySchema, { ...d, id: create(core.IdentifierSchema, { resourceType, ...key }) });
  await ctx.db
    .insertInto("admin_description_entities")
    .values({ resource_type: resourceType, ...key, short_description: d.shortDescription, entity: toBinary(admin.DescriptionEntitySchema, entity), created_at: ctx.now() })
    .onConflict((oc) => oc.columns(["resource_type", "project", "domain", "name", "version"]).doNothing())
    .execute();
}

const toEntity = (r: DescriptionEntityRow) => fromBinary(admin.DescriptionEntitySchema, r.entity);

function resourceTypeOf(rt: core.ResourceType, field: string): core.ResourceType {
  if (rt !== core.ResourceType.TASK && rt !== core.ResourceType.WORKFLOW) throw new InvalidArgumentError(`${field} must be TASK or WORKFLOW`);
  return rt;
}

export async function getDescriptionEntity(ctx: AdminContext, req: admin.ObjectGetRequest): Promise<admin.DescriptionEntity> {
  const id = requirePresent(req.id, "id");
  const rt = resourceTypeOf(id.resourceType, "id.resource_type");
  const key = requireIdentifier(id, "id", rt);
  const row = await ctx.db.selectFrom("admin_description_entities").selectAll().where("resource_type", "=", rt).where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("version", "=", key.version).executeTakeFirst();
  if (!row) throw new NotFoundError(`no description entity for ${core.ResourceType[rt]} ${key.project}/${key.domain}/${key.name}/${key.version}`);
  return toEntity(row);
}

export async function listDescriptionEntities(ctx: AdminContext, req: admin.DescriptionEntityListRequest): Promise<admin.DescriptionEntityList> {
  const rt = resourceTypeOf(req.resourceType, "resource_type");
  const id = requirePresent(req.id, "id");
  const project = requireString(id.project, "id.project");
  const domain = requireString(id.domain, "id.domain");
  const q = parseListQuery(req, taskColumns, "description entities");
  let qb = ctx.db.selectFrom("admin_description_entities").selectAll().where("resource_type", "=", rt).where("project", "=", project).where("domain", "=", domain);
  if (id.name) qb = qb.where("name", "=", id.name);
  const rows = await applyListQuery(qb, q, { column: "created_at", direction: "desc" }, ["name", "version"]).execute();
  const { rows: pageRows, token } = page(rows, q);
  return create(admin.DescriptionEntityListSchema, { descriptionEntities: pageRows.map(toEntity), token });
}
