// Named entities: the distinct names of tasks, workflows and launch plans, with their editable metadata
// (description, archived state).
import { create } from "@bufbuild/protobuf";
import { sql } from "kysely";
import { admin, core } from "@aloft/idl";
import { InvalidArgumentError, NotFoundError } from "../errors.ts";
import type { AdminContext } from "../context.ts";
import { namedEntityColumns } from "../query/columns.ts";
import { page, parseListQuery } from "../query/list-query.ts";
import { filterCondition } from "../query/filters.ts";
import { requirePresent, requireString } from "./validate.ts";

const tables = {
  [core.ResourceType.TASK]: "admin_tasks",
  [core.ResourceType.WORKFLOW]: "admin_workflows",
  [core.ResourceType.LAUNCH_PLAN]: "admin_launch_plans",
} as const;

function tableFor(rt: core.ResourceType): (typeof tables)[keyof typeof tables] {
  const t = (tables as Record<number, (typeof tables)[keyof typeof tables]>)[rt];
  if (!t) throw new InvalidArgumentError(`resource_type must be TASK, WORKFLOW or LAUNCH_PLAN, got ${core.ResourceType[rt] ?? rt}`);
  return t;
}

export async function listNamedEntities(ctx: AdminContext, req: admin.NamedEntityListRequest): Promise<admin.NamedEntityList> {
  const table = tableFor(req.resourceType);
  requireString(req.project, "project");
  requireString(req.domain, "domain");
  const q = parseListQuery(req, namedEntityColumns, "named entities");
  let qb = ctx.db
    .selectFrom(`${table} as e` as "admin_tasks as e")
    .leftJoin("admin_named_entities as m", (j) =>
      j.onRef("m.project", "=", "e.project").onRef("m.domain", "=", "e.domain").onRef("m.name", "=", "e.name").on("m.resource_type", "=", req.resourceType),
    )
    .select(["e.project", "e.domain", "e.name", sql<string>`coalesce(max(m.description), '')`.as("description"), sql<number>`coalesce(max(m.state), 0)`.as("state")])
    .where("e.project", "=", req.project)
    .where("e.domain", "=", req.domain)
    .groupBy(["e.project", "e.domain", "e.name"]);
  for (const f of q.filters) {
    // State and description live on the (optional) metadata row; identity columns on the entity row.
    const target =
      f.column.sql === "state" ? sql`coalesce(m.state, 0)` : f.column.sql === "description" ? sql`coalesce(m.description, '')` : sql.ref(`e.${f.column.sql}`);
    qb = qb.where(filterCondition(f, target));
  }
  const rows = await qb.orderBy("e.name", q.sort?.direction ?? "asc").limit(q.limit + 1).offset(q.offset).execute();
  const { rows: pageRows, token } = page(rows, q);
  return create(admin.NamedEntityListSchema, {
    entities: pageRows.map((r) =>
      create(admin.NamedEntitySchema, {
        resourceType: req.resourceType,
        id: { project: r.project, domain: r.domain, name: r.name },
        metadata: { description: r.description, state: r.state },
      }),
    ),
    token,
  });
}

export async function getNamedEntity(ctx: AdminContext, req: admin.NamedEntityGetRequest): Promise<admin.NamedEntity> {
  const table = tableFor(req.resourceType);
  const id = requirePresent(req.id, "id");
  const project = requireString(id.project, "id.project");
  const domain = requireString(id.domain, "id.domain");
  const name = requireString(id.name, "id.name");
  const exists = await ctx.db.selectFrom(table).select("name").where("project", "=", project).where("domain", "=", domain).where("name", "=", name).limit(1).executeTakeFirst();
  if (!exists) throw new NotFoundError(`${core.ResourceType[req.resourceType]} named ${project}/${domain}/${name} not found`);
  const meta = await ctx.db.selectFrom("admin_named_entities").selectAll().where("resource_type", "=", req.resourceType).where("project", "=", project).where("domain", "=", domain).where("name", "=", name).executeTakeFirst();
  return create(admin.NamedEntitySchema, { resourceType: req.resourceType, id: { project, domain, name }, metadata: { description: meta?.description ?? "", state: meta?.state ?? 0 } });
}

export async function updateNamedEntity(ctx: AdminContext, req: admin.NamedEntityUpdateRequest): Promise<admin.NamedEntityUpdateResponse> {
  await getNamedEntity(ctx, create(admin.NamedEntityGetRequestSchema, { resourceType: req.resourceType, id: req.id }));
  const id = req.id!;
  const metadata = requirePresent(req.metadata, "metadata");
  if (metadata.description.length > 300) throw new InvalidArgumentError("metadata.description must be at most 300 characters");
  const now = ctx.now();
  await ctx.db
    .insertInto("admin_named_entities")
    .values({ resource_type: req.resourceType, project: id.project, domain: id.domain, name: id.name, description: metadata.description, state: metadata.state, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(["resource_type", "project", "domain", "name"]).doUpdateSet({ description: metadata.description, state: metadata.state, updated_at: now }))
    .execute();
  return create(admin.NamedEntityUpdateResponseSchema, {});
}
