// Projects and domains. Domains are configured system-wide (as in flyteadmin) and attached to every project.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { admin } from "@aloft/idl";
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from "../errors.ts";
import { projectColumns } from "../query/columns.ts";
import { applyListQuery, page, parseListQuery } from "../query/list-query.ts";
import type { AdminContext } from "../context.ts";
import type { ProjectRow } from "../db/schema.ts";
import { maxLength, requireDnsLabel, requirePresent, requireString } from "./validate.ts";
import { invalidateSettings } from "./entity-cache.ts";

function validateProject(p: admin.Project): void {
  requireString(p.id, "project.id");
  requireDnsLabel(p.id, "project.id");
  maxLength(p.name, "project.name", 64);
  maxLength(p.description, "project.description", 300);
  if (p.domains.length > 0) {
    throw new InvalidArgumentError("project.domains: domains are set system wide; retry without domains in the request");
  }
  const labels = Object.entries(p.labels?.values ?? {});
  if (labels.length > 16) throw new InvalidArgumentError("project.labels: at most 16 labels");
  for (const [k, v] of labels) {
    if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(k)) throw new InvalidArgumentError(`project.labels: invalid key ${JSON.stringify(k)}`);
    if (v.length > 63) throw new InvalidArgumentError(`project.labels: value of ${k} is longer than 63 characters`);
  }
}

export function domainsOf(ctx: AdminContext): admin.Domain[] {
  return ctx.domains.map((d) => create(admin.DomainSchema, { id: d.id, name: d.name }));
}

function toProject(ctx: AdminContext, row: ProjectRow): admin.Project {
  return create(admin.ProjectSchema, {
    id: row.identifier,
    name: row.name,
    description: row.description,
    labels: row.labels ? fromBinary(admin.LabelsSchema, row.labels) : undefined,
    state: row.state,
    org: row.org,
    domains: domainsOf(ctx),
  });
}

export async function registerProject(ctx: AdminContext, req: admin.ProjectRegisterRequest): Promise<admin.ProjectRegisterResponse> {
  const p = requirePresent(req.project, "project");
  requireString(p.name, "project.name");
  validateProject(p);
  const inserted = await ctx.db
    .insertInto("admin_projects")
    .values({
      identifier: p.id,
      name: p.name,
      description: p.description,
      labels: p.labels ? toBinary(admin.LabelsSchema, p.labels) : null,
      state: p.state,
      org: p.org,
      created_at: ctx.now(),
      updated_at: ctx.now(),
    })
    .onConflict((oc) => oc.column("identifier").doNothing())
    .returning("identifier")
    .executeTakeFirst();
  invalidateSettings(ctx.db as never);
  if (!inserted) throw new AlreadyExistsError(`project with identifier ${p.id} already exists`);
  return create(admin.ProjectRegisterResponseSchema, {});
}

export async function updateProject(ctx: AdminContext, p: admin.Project): Promise<admin.ProjectUpdateResponse> {
  validateProject(p);
  const updated = await ctx.db
    .updateTable("admin_projects")
    .set({
      name: p.name,
      description: p.description,
      labels: p.labels ? toBinary(admin.LabelsSchema, p.labels) : null,
      state: p.state,
      updated_at: ctx.now(),
    })
    .where("identifier", "=", p.id)
    .returning("identifier")
    .executeTakeFirst();
  invalidateSettings(ctx.db as never);
  if (!updated) throw new NotFoundError(`project [${p.id}] not found`);
  return create(admin.ProjectUpdateResponseSchema, {});
}

export async function getProject(ctx: AdminContext, req: admin.ProjectGetRequest): Promise<admin.Project> {
  requireString(req.id, "id");
  const row = await ctx.db.selectFrom("admin_projects").selectAll().where("identifier", "=", req.id).executeTakeFirst();
  if (!row) throw new NotFoundError(`project [${req.id}] not found`);
  return toProject(ctx, row);
}

export async function listProjects(ctx: AdminContext, req: admin.ProjectListRequest): Promise<admin.Projects> {
  // flyteadmin lists every project when no limit is given (flytekit and the console rely on it).
  const q = parseListQuery(req, projectColumns, "projects", { requireLimit: false });
  const rows = await applyListQuery(ctx.db.selectFrom("admin_projects").selectAll(), q, { column: "identifier", direction: "asc" }, []).execute();
  const { rows: pageRows, token } = page(rows, q);
  return create(admin.ProjectsSchema, { projects: pageRows.map((r) => toProject(ctx, r)), token });
}

export async function getDomains(ctx: AdminContext): Promise<admin.GetDomainsResponse> {
  return create(admin.GetDomainsResponseSchema, { domains: domainsOf(ctx) });
}
