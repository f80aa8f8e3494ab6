// Task registration and lookup, as flyteadmin: the template is compiled at registration, its id is the request
// id, re-registering the same content succeeds and different content under an existing id is ALREADY_EXISTS.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { admin, core } from "@aloft/idl";
import { AlreadyExistsError, NotFoundError } from "../errors.ts";
import { taskColumns } from "../query/columns.ts";
import { applyListQuery, page, parseListQuery } from "../query/list-query.ts";
import type { AdminContext } from "../context.ts";
import type { TaskRow } from "../db/schema.ts";
import { compileTaskOrThrow } from "./compile.ts";
import { digestOf } from "./digest.ts";
import { saveDescription } from "./description-entities.ts";
import { listNamedIds, listScope } from "./versioned.ts";
import { requireIdentifier, requirePresent, requireProjectAndDomain, requireString, type Key } from "./validate.ts";

export function taskIdentifier(k: Key): core.Identifier {
  return create(core.IdentifierSchema, { resourceType: core.ResourceType.TASK, ...k });
}

function toTask(row: TaskRow): admin.Task {
  const closure = fromBinary(admin.TaskClosureSchema, row.closure);
  return create(admin.TaskSchema, { id: taskIdentifier(row), closure, shortDescription: row.short_description });
}

export async function createTask(ctx: AdminContext, req: admin.TaskCreateRequest): Promise<admin.TaskCreateResponse> {
  const key = requireIdentifier(req.id, "id", core.ResourceType.TASK);
  const spec = requirePresent(req.spec, "spec");
  const template = requirePresent(spec.template, "spec.template");
  requireString(template.type, "spec.template.type");
  requirePresent(template.metadata, "spec.template.metadata");
  requirePresent(template.interface, "spec.template.interface");
  await requireProjectAndDomain(ctx, key.project, key.domain);
  // The stored template carries the request's id, whatever the client put in the template.
  template.id = taskIdentifier(key);
  const compiled = compileTaskOrThrow(template);
  const digest = digestOf(core.CompiledTaskSchema, compiled);
  const now = ctx.now();
  const closure = create(admin.TaskClosureSchema, { compiledTask: compiled, createdAt: timestampFromDate(now) });
  const inserted = await ctx.db
    .insertInto("admin_tasks")
    .values({
      ...key,
      closure: toBinary(admin.TaskClosureSchema, closure),
      digest,
      type: template.type,
      short_description: spec.description?.shortDescription ?? "",
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(["project", "domain", "name", "version"]).doNothing())
    .returning("digest")
    .executeTakeFirst();
  if (!inserted) {
    const existing = await ctx.db.selectFrom("admin_tasks").select("digest").where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("version", "=", key.version).executeTakeFirstOrThrow();
    if (existing.digest !== digest) {
      throw new AlreadyExistsError(`task with different structure already exists with id ${key.project}/${key.domain}/${key.name}/${key.version}`);
    }
  }
  await saveDescription(ctx, core.ResourceType.TASK, key, spec.description);
  return create(admin.TaskCreateResponseSchema, {});
}

export async function getTaskRow(ctx: AdminContext, key: Key): Promise<TaskRow | undefined> {
  return ctx.db.selectFrom("admin_tasks").selectAll().where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("version", "=", key.version).executeTakeFirst();
}

export async function getTask(ctx: AdminContext, req: admin.ObjectGetRequest): Promise<admin.Task> {
  const key = requireIdentifier(req.id, "id", core.ResourceType.TASK);
  const row = await getTaskRow(ctx, key);
  if (!row) throw new NotFoundError(`task ${key.project}/${key.domain}/${key.name}/${key.version} not found`);
  return toTask(row);
}

export async function listTasks(ctx: AdminContext, req: admin.ResourceListRequest): Promise<admin.TaskList> {
  const scope = listScope(req);
  const q = parseListQuery(req, taskColumns, "tasks");
  let qb = ctx.db.selectFrom("admin_tasks").selectAll().where("project", "=", scope.project).where("domain", "=", scope.domain);
  if (scope.name !== "") qb = qb.where("name", "=", scope.name);
  const rows = await applyListQuery(qb, q, { column: "created_at", direction: "desc" }, ["name", "version"]).execute();
  const { rows: pageRows, token } = page(rows, q);
  return create(admin.TaskListSchema, { tasks: pageRows.map(toTask), token });
}

export async function listTaskIds(ctx: AdminContext, req: admin.NamedEntityIdentifierListRequest): Promise<admin.NamedEntityIdentifierList> {
  return listNamedIds(ctx, "admin_tasks", taskColumns, "tasks", req);
}

