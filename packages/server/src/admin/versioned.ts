// What tasks, workflows and launch plans share: listing the distinct names in a project/domain and the common
// list request checks. Each entity's own file keeps its create/get semantics.
import { create } from "@bufbuild/protobuf";
import { sql } from "kysely";
import { admin } from "@aloft/idl";
import type { AdminContext } from "../context.ts";
import { page, parseListQuery } from "../query/list-query.ts";
import type { EntityColumns } from "../query/columns.ts";
import { filterCondition } from "../query/filters.ts";
import { requirePresent, requireString } from "./validate.ts";

type VersionedTable = "admin_tasks" | "admin_workflows" | "admin_launch_plans";

export async function listNamedIds(
  ctx: AdminContext,
  table: VersionedTable,
  columns: EntityColumns,
  entity: string,
  req: admin.NamedEntityIdentifierListRequest,
): Promise<admin.NamedEntityIdentifierList> {
  requireString(req.project, "project");
  requireString(req.domain, "domain");
  const q = parseListQuery(req, columns, entity);
  let qb = ctx.db
    .selectFrom(table)
    .select(["project", "domain", "name", sql<Date>`max(created_at)`.as("latest")])
    .where("project", "=", req.project)
    .where("domain", "=", req.domain);
  for (const f of q.filters) qb = qb.where(filterCondition(f));
  const direction = q.sort?.direction ?? "asc";
  // Sorting applies to names (the grouped key) or to their latest version's time.
  const orderCol = q.sort && q.sort.column !== "name" ? sql`max(created_at)` : sql.ref("name");
  const rows = await qb
    .groupBy(["project", "domain", "name"])
    .orderBy(orderCol, direction)
    .orderBy("name", direction)
    .limit(q.limit + 1)
    .offset(q.offset)
    .execute();
  const { rows: pageRows, token } = page(rows, q);
  return create(admin.NamedEntityIdentifierListSchema, {
    entities: pageRows.map((r) => create(admin.NamedEntityIdentifierSchema, { project: r.project, domain: r.domain, name: r.name, org: req.org })),
    token,
  });
}

/** The project and domain (and name, when given) of a ResourceListRequest; project and domain are required. */
export function listScope(req: admin.ResourceListRequest): { project: string; domain: string; name: string } {
  const id = requirePresent(req.id, "id");
  return { project: requireString(id.project, "id.project"), domain: requireString(id.domain, "id.domain"), name: id.name };
}
