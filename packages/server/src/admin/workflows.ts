// Workflow registration: the template is compiled with the tasks and launch-plan interfaces it references,
// fetched from the database; compile errors reject the registration with every error listed.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { admin, core } from "@aloft/idl";
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from "../errors.ts";
import { workflowColumns } from "../query/columns.ts";
import { applyListQuery, page, parseListQuery } from "../query/list-query.ts";
import type { AdminContext } from "../context.ts";
import type { WorkflowRow } from "../db/schema.ts";
import { compileWorkflowOrThrow, requirementsOf, type LaunchPlanInterface } from "./compile.ts";
import { digestOf } from "./digest.ts";
import { saveDescription } from "./description-entities.ts";
import { getTaskRow } from "./tasks.ts";
import { getLaunchPlanRow } from "./launch-plan-rows.ts";
import { listNamedIds, listScope } from "./versioned.ts";
import { requireIdentifier, requirePresent, requireProjectAndDomain, type Key } from "./validate.ts";

export function workflowIdentifier(k: Key): core.Identifier {
  return create(core.IdentifierSchema, { resourceType: core.ResourceType.WORKFLOW, project: k.project, domain: k.domain, name: k.name, version: k.version });
}

function toWorkflow(row: WorkflowRow): admin.Workflow {
  return create(admin.WorkflowSchema, { id: workflowIdentifier(row), closure: fromBinary(admin.WorkflowClosureSchema, row.closure), shortDescription: row.short_description });
}

function keyOf(id: core.Identifier): Key {
  return { project: id.project, domain: id.domain, name: id.name, version: id.version };
}

const show = (k: Key) => `${k.project}/${k.domain}/${k.name}/${k.version}`;

/** Sub-workflow ids the templates' nodes name (through branches and array nodes). */
function subWorkflowRefs(templates: core.WorkflowTemplate[]): core.Identifier[] {
  const out: core.Identifier[] = [];
  const visit = (n: core.Node | undefined): void => {
    if (!n) return;
    const t = n.target;
    if (t.case === "workflowNode" && t.value.reference.case === "subWorkflowRef") out.push(t.value.reference.value);
    else if (t.case === "branchNode") {
      const ie = t.value.ifElse;
      visit(ie?.case?.thenNode);
      for (const o of ie?.other ?? []) visit(o.thenNode);
      if (ie?.default.case === "elseNode") visit(ie.default.value);
    } else if (t.case === "arrayNode") visit(t.value.node);
  };
  for (const w of templates) {
    for (const n of w.nodes) visit(n);
    visit(w.failureNode);
  }
  return out;
}

const idKey = (id: core.Identifier) => `${id.project}/${id.domain}/${id.name}/${id.version}`;

/**
 * A sub-workflow node may name a workflow registered earlier (a reference workflow) instead of one sent along in
 * `sub_workflows`: its registered template (and its own sub-workflows) are added from the database.
 */
async function withReferencedWorkflows(ctx: AdminContext, template: core.WorkflowTemplate, subWorkflows: core.WorkflowTemplate[]): Promise<core.WorkflowTemplate[]> {
  const subs = [...subWorkflows];
  const known = new Set([template, ...subs].map((w) => (w.id ? idKey(w.id) : "")));
  for (const id of subWorkflowRefs([template, ...subs])) {
    if (known.has(idKey(id))) continue;
    const row = await getWorkflowRow(ctx, keyOf(id));
    if (!row) throw new InvalidArgumentError(`workflow references workflow ${show(keyOf(id))}, which is neither registered nor among its sub_workflows`);
    const compiled = fromBinary(admin.WorkflowClosureSchema, row.closure).compiledWorkflow;
    for (const w of [compiled?.primary, ...(compiled?.subWorkflows ?? [])]) {
      const t = w?.template;
      if (t?.id && !known.has(idKey(t.id))) {
        known.add(idKey(t.id));
        subs.push(t);
      }
    }
  }
  return subs;
}

async function compile(ctx: AdminContext, template: core.WorkflowTemplate, sent: core.WorkflowTemplate[]): Promise<core.CompiledWorkflowClosure> {
  const subWorkflows = await withReferencedWorkflows(ctx, template, sent);
  const reqs = requirementsOf(template, subWorkflows);
  const tasks: core.CompiledTask[] = [];
  for (const id of reqs.taskIds) {
    const row = await getTaskRow(ctx, keyOf(id));
    if (!row) throw new InvalidArgumentError(`workflow references task ${show(keyOf(id))}, which is not registered`);
    const compiled = fromBinary(admin.TaskClosureSchema, row.closure).compiledTask;
    if (compiled) tasks.push(compiled);
  }
  const launchPlans: LaunchPlanInterface[] = [];
  for (const id of reqs.launchPlanIds) {
    const row = await getLaunchPlanRow(ctx, keyOf(id));
    if (!row) throw new InvalidArgumentError(`workflow references launch plan ${show(keyOf(id))}, which is not registered`);
    const closure = fromBinary(admin.LaunchPlanClosureSchema, row.closure);
    launchPlans.push({ id, expectedInputs: closure.expectedInputs, expectedOutputs: closure.expectedOutputs });
  }
  // The request's template and sub-workflows and the tasks just decoded are used for nothing else: compiled in
  // place, not deep-copied first (the copy was most of the time a 10,000-node workflow took to compile).
  return compileWorkflowOrThrow(template, subWorkflows, tasks, launchPlans, { takeOwnership: true });
}

export async function createWorkflow(ctx: AdminContext, req: admin.WorkflowCreateRequest): Promise<admin.WorkflowCreateResponse> {
  const key = requireIdentifier(req.id, "id", core.ResourceType.WORKFLOW);
  const spec = requirePresent(req.spec, "spec");
  const template = requirePresent(spec.template, "spec.template");
  requirePresent(template.interface, "spec.template.interface");
  await requireProjectAndDomain(ctx, key.project, key.domain);
  template.id = workflowIdentifier(key);
  const compiled = await compile(ctx, template, spec.subWorkflows);
  const digest = digestOf(core.CompiledWorkflowClosureSchema, compiled);
  const now = ctx.now();
  const closure = create(admin.WorkflowClosureSchema, { compiledWorkflow: compiled, createdAt: timestampFromDate(now) });
  const inserted = await ctx.db
    .insertInto("admin_workflows")
    .values({ ...key, closure: toBinary(admin.WorkflowClosureSchema, closure), digest, short_description: spec.description?.shortDescription ?? "", created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(["project", "domain", "name", "version"]).doNothing())
    .returning("digest")
    .executeTakeFirst();
  if (!inserted) {
    const existing = await getWorkflowRow(ctx, key);
    if (existing && existing.digest !== digest) throw new AlreadyExistsError(`workflow with different structure already exists with id ${show(key)}`);
  }
  await saveDescription(ctx, core.ResourceType.WORKFLOW, key, spec.description);
  return create(admin.WorkflowCreateResponseSchema, {});
}

export async function getWorkflowRow(ctx: AdminContext, key: Key): Promise<WorkflowRow | undefined> {
  return ctx.db.selectFrom("admin_workflows").selectAll().where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("version", "=", key.version).executeTakeFirst();
}

export async function getCompiledWorkflow(ctx: AdminContext, key: Key): Promise<core.CompiledWorkflowClosure> {
  const row = await getWorkflowRow(ctx, key);
  if (!row) throw new NotFoundError(`workflow ${show(key)} not found`);
  const compiled = fromBinary(admin.WorkflowClosureSchema, row.closure).compiledWorkflow;
  if (!compiled) throw new NotFoundError(`workflow ${show(key)} has no compiled closure`);
  return compiled;
}

export async function getWorkflow(ctx: AdminContext, req: admin.ObjectGetRequest): Promise<admin.Workflow> {
  const key = requireIdentifier(req.id, "id", core.ResourceType.WORKFLOW);
  const row = await getWorkflowRow(ctx, key);
  if (!row) throw new NotFoundError(`workflow ${show(key)} not found`);
  return toWorkflow(row);
}

export async function listWorkflows(ctx: AdminContext, req: admin.ResourceListRequest): Promise<admin.WorkflowList> {
  const scope = listScope(req);
  const q = parseListQuery(req, workflowColumns, "workflows");
  let qb = ctx.db.selectFrom("admin_workflows").selectAll().where("project", "=", scope.project).where("domain", "=", scope.domain);
  if (scope.name !== "") qb = qb.where("name", "=", scope.name);
  const rows = await applyListQuery(qb, q, { column: "created_at", direction: "desc" }, ["name", "version"]).execute();
  const { rows: pageRows, token } = page(rows, q);
  return create(admin.WorkflowListSchema, { workflows: pageRows.map(toWorkflow), token });
}

export async function listWorkflowIds(ctx: AdminContext, req: admin.NamedEntityIdentifierListRequest): Promise<admin.NamedEntityIdentifierList> {
  return listNamedIds(ctx, "admin_workflows", workflowColumns, "workflows", req);
}
