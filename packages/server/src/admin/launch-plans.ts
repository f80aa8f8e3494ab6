// Launch plans, as flyteadmin: registered INACTIVE with their expected inputs computed from the workflow's
// interface, defaults and fixed inputs; activating a version deactivates the name's previously active one.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { admin, core } from "@aloft/idl";
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from "../errors.ts";
import { launchPlanColumns } from "../query/columns.ts";
import { applyListQuery, page, parseListQuery } from "../query/list-query.ts";
import type { AdminContext } from "../context.ts";
import { areTypesCastable, literalTypeForLiteral } from "./compile.ts";
import { digestOf } from "./digest.ts";
import { clockFor } from "../scheduler/schedule.ts";
import { QUEUE_LABEL } from "../scheduler/concurrency.ts";
import { getLaunchPlanRow, launchPlanIdentifier, toLaunchPlan } from "./launch-plan-rows.ts";
import { getWorkflowRow } from "./workflows.ts";
import { listNamedIds, listScope } from "./versioned.ts";
import { requireIdentifier, requirePresent, requireProjectAndDomain, requireString, type Key } from "./validate.ts";

const show = (k: Key) => `${k.project}/${k.domain}/${k.name}/${k.version}`;

/** The parameters an execution of this launch plan must or may supply (flyteadmin's expected inputs). */
export function expectedInputs(workflowInputs: core.VariableMap | undefined, fixed: core.LiteralMap | undefined, defaults: core.ParameterMap | undefined): core.ParameterMap {
  const wf = workflowInputs?.variables ?? {};
  const fixedMap = fixed?.literals ?? {};
  const defaultMap = defaults?.parameters ?? {};
  for (const [name, p] of Object.entries(defaultMap)) {
    const v = wf[name];
    if (!v) throw new InvalidArgumentError(`spec.default_inputs: unexpected default_input ${name} (the workflow has no such input)`);
    if (!areTypesCastable(p.var?.type, v.type)) throw new InvalidArgumentError(`spec.default_inputs: ${name} has the wrong type for the workflow input`);
  }
  for (const [name, lit] of Object.entries(fixedMap)) {
    const v = wf[name];
    if (!v) throw new InvalidArgumentError(`spec.fixed_inputs: unexpected fixed_input ${name} (the workflow has no such input)`);
    const t = literalTypeForLiteral(lit);
    if (!t || !areTypesCastable(t, v.type)) throw new InvalidArgumentError(`spec.fixed_inputs: ${name} has the wrong type for the workflow input`);
  }
  const out: Record<string, core.Parameter> = {};
  for (const [name, v] of Object.entries(wf)) {
    if (defaultMap[name]) out[name] = defaultMap[name];
    else if (!fixedMap[name]) out[name] = create(core.ParameterSchema, { var: { type: v.type, description: v.description }, behavior: { case: "required", value: true } });
  }
  return create(core.ParameterMapSchema, { parameters: out });
}

export function cronExpressionOf(schedule: admin.Schedule | undefined): string | undefined {
  if (!schedule) return undefined;
  if (schedule.ScheduleExpression.case === "cronExpression") return schedule.ScheduleExpression.value;
  if (schedule.ScheduleExpression.case === "cronSchedule") return schedule.ScheduleExpression.value.schedule;
  return undefined;
}

function validateSchedule(schedule: admin.Schedule | undefined, inputs: core.ParameterMap): string {
  if (!schedule || schedule.ScheduleExpression.case === undefined) return "NONE";
  for (const [name, p] of Object.entries(inputs.parameters)) {
    if (p.behavior.case === "required" && name !== schedule.kickoffTimeInputArg) {
      throw new InvalidArgumentError(`spec.entity_metadata.schedule: cannot schedule a launch plan with an unbound required input; [${name}] is required`);
    }
  }
  if (schedule.kickoffTimeInputArg !== "") {
    const p = inputs.parameters[schedule.kickoffTimeInputArg];
    if (!p) throw new InvalidArgumentError(`spec.entity_metadata.schedule.kickoff_time_input_arg [${schedule.kickoffTimeInputArg}] is not a free input of the launch plan`);
    const t = p.var?.type?.type;
    if (t?.case !== "simple" || t.value !== core.SimpleType.DATETIME) {
      throw new InvalidArgumentError(`spec.entity_metadata.schedule.kickoff_time_input_arg [${schedule.kickoffTimeInputArg}] must reference a datetime input`);
    }
  }
  // Parsing the schedule now rejects bad expressions, unknown time zones and unsupported options at registration.
  clockFor(schedule, 0);
  if (cronExpressionOf(schedule) !== undefined) return "CRON";
  return "RATE";
}

function validateConcurrency(spec: admin.LaunchPlanSpec): void {
  const p = spec.concurrencyPolicy;
  const queueLabel = spec.labels?.values[QUEUE_LABEL];
  if (queueLabel !== undefined && queueLabel !== "queue") throw new InvalidArgumentError(`spec.labels.${QUEUE_LABEL} must be "queue", got ${JSON.stringify(queueLabel)}`);
  if (!p) return;
  if (p.max < 0) throw new InvalidArgumentError("spec.concurrency_policy.max must not be negative");
  if (p.max > 0 && p.behavior === admin.ConcurrencyLimitBehavior.UNSPECIFIED && queueLabel !== "queue") {
    throw new InvalidArgumentError(`spec.concurrency_policy.behavior must be CONCURRENCY_LIMIT_BEHAVIOR_SKIP, or the launch plan must carry the label ${QUEUE_LABEL}=queue to queue`);
  }
  if (p.behavior === admin.ConcurrencyLimitBehavior.SKIP && queueLabel === "queue") throw new InvalidArgumentError(`spec.concurrency_policy.behavior SKIP contradicts the label ${QUEUE_LABEL}=queue`);
}

export async function createLaunchPlan(ctx: AdminContext, req: admin.LaunchPlanCreateRequest): Promise<admin.LaunchPlanCreateResponse> {
  const key = requireIdentifier(req.id, "id", core.ResourceType.LAUNCH_PLAN);
  const spec = requirePresent(req.spec, "spec");
  const wfKey = requireIdentifier(spec.workflowId, "spec.workflow_id", core.ResourceType.WORKFLOW);
  await requireProjectAndDomain(ctx, key.project, key.domain);
  const wfRow = await getWorkflowRow(ctx, wfKey);
  if (!wfRow) throw new InvalidArgumentError(`spec.workflow_id: workflow ${show(wfKey)} is not registered`);
  const iface = fromBinary(admin.WorkflowClosureSchema, wfRow.closure).compiledWorkflow?.primary?.template?.interface;
  if (spec.entityMetadata?.launchConditions) throw new InvalidArgumentError("spec.entity_metadata.launch_conditions must be empty");
  validateConcurrency(spec);
  const inputs = expectedInputs(iface?.inputs, spec.fixedInputs, spec.defaultInputs);
  const scheduleType = validateSchedule(spec.entityMetadata?.schedule, inputs);
  spec.defaultInputs = inputs;
  spec.workflowId = create(core.IdentifierSchema, { resourceType: core.ResourceType.WORKFLOW, ...wfKey });
  const digest = digestOf(admin.LaunchPlanSpecSchema, spec);
  const now = ctx.now();
  const closure = create(admin.LaunchPlanClosureSchema, {
    state: admin.LaunchPlanState.INACTIVE,
    expectedInputs: inputs,
    expectedOutputs: iface?.outputs,
    createdAt: timestampFromDate(now),
    updatedAt: timestampFromDate(now),
  });
  const inserted = await ctx.db
    .insertInto("admin_launch_plans")
    .values({
      ...key,
      spec: toBinary(admin.LaunchPlanSpecSchema, spec),
      closure: toBinary(admin.LaunchPlanClosureSchema, closure),
      digest,
      state: admin.LaunchPlanState.INACTIVE,
      schedule_type: scheduleType,
      workflow_name: wfKey.name,
      workflow_version: wfKey.version,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(["project", "domain", "name", "version"]).doNothing())
    .returning("digest")
    .executeTakeFirst();
  if (!inserted) {
    const existing = await getLaunchPlanRow(ctx, key);
    if (existing && existing.digest !== digest) throw new AlreadyExistsError(`launch plan with different structure already exists with id ${show(key)}`);
  }
  return create(admin.LaunchPlanCreateResponseSchema, {});
}

export async function getLaunchPlan(ctx: AdminContext, req: admin.ObjectGetRequest): Promise<admin.LaunchPlan> {
  const key = requireIdentifier(req.id, "id", core.ResourceType.LAUNCH_PLAN);
  const row = await getLaunchPlanRow(ctx, key);
  if (!row) throw new NotFoundError(`launch plan ${show(key)} not found`);
  return toLaunchPlan(row);
}

export async function getActiveLaunchPlan(ctx: AdminContext, req: admin.ActiveLaunchPlanRequest): Promise<admin.LaunchPlan> {
  const id = requirePresent(req.id, "id");
  const project = requireString(id.project, "id.project");
  const domain = requireString(id.domain, "id.domain");
  const name = requireString(id.name, "id.name");
  const row = await ctx.db.selectFrom("admin_launch_plans").selectAll().where("project", "=", project).where("domain", "=", domain).where("name", "=", name).where("state", "=", admin.LaunchPlanState.ACTIVE).executeTakeFirst();
  if (!row) throw new NotFoundError(`no active launch plan named ${project}/${domain}/${name}`);
  return toLaunchPlan(row);
}

export async function listActiveLaunchPlans(ctx: AdminContext, req: admin.ActiveLaunchPlanListRequest): Promise<admin.LaunchPlanList> {
  requireString(req.project, "project");
  requireString(req.domain, "domain");
  const q = parseListQuery({ ...req, filters: "" }, launchPlanColumns, "launch plans");
  const qb = ctx.db.selectFrom("admin_launch_plans").selectAll().where("project", "=", req.project).where("domain", "=", req.domain).where("state", "=", admin.LaunchPlanState.ACTIVE);
  const rows = await applyListQuery(qb, q, { column: "name", direction: "asc" }, ["version"]).execute();
  const { rows: pageRows, token } = page(rows, q);
  return create(admin.LaunchPlanListSchema, { launchPlans: pageRows.map(toLaunchPlan), token });
}

export async function listLaunchPlans(ctx: AdminContext, req: admin.ResourceListRequest): Promise<admin.LaunchPlanList> {
  const scope = listScope(req);
  const q = parseListQuery(req, launchPlanColumns, "launch plans");
  let qb = ctx.db.selectFrom("admin_launch_plans").selectAll().where("project", "=", scope.project).where("domain", "=", scope.domain);
  if (scope.name !== "") qb = qb.where("name", "=", scope.name);
  const rows = await applyListQuery(qb, q, { column: "created_at", direction: "desc" }, ["name", "version"]).execute();
  const { rows: pageRows, token } = page(rows, q);
  return create(admin.LaunchPlanListSchema, { launchPlans: pageRows.map(toLaunchPlan), token });
}

export async function listLaunchPlanIds(ctx: AdminContext, req: admin.NamedEntityIdentifierListRequest): Promise<admin.NamedEntityIdentifierList> {
  return listNamedIds(ctx, "admin_launch_plans", launchPlanColumns, "launch plans", req);
}

/** Activation hook: the scheduler reconciles when a launch plan's active version changes. */
export type ActivationListener = (key: Key, active: boolean) => void;

export async function updateLaunchPlan(ctx: AdminContext, req: admin.LaunchPlanUpdateRequest, onChange?: ActivationListener): Promise<admin.LaunchPlanUpdateResponse> {
  const key = requireIdentifier(req.id, "id", core.ResourceType.LAUNCH_PLAN);
  if (req.state !== admin.LaunchPlanState.ACTIVE && req.state !== admin.LaunchPlanState.INACTIVE) throw new InvalidArgumentError(`state: unknown launch plan state ${req.state}`);
  await ctx.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom("admin_launch_plans").select("state").where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("version", "=", key.version).forUpdate().executeTakeFirst();
    if (!row) throw new NotFoundError(`launch plan ${show(key)} not found`);
    const now = ctx.now();
    // A schedule restarts from its activation: slots that passed while the launch plan (or this version) was
    // inactive are not caught up. Re-activating the active version changes nothing.
    if (row.state !== req.state) {
      await tx.deleteFrom("admin_schedules").where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).execute();
    }
    if (req.state === admin.LaunchPlanState.ACTIVE && row.state === admin.LaunchPlanState.ACTIVE) return;
    if (req.state === admin.LaunchPlanState.ACTIVE) {
      await tx.updateTable("admin_launch_plans").set({ state: admin.LaunchPlanState.INACTIVE, updated_at: now }).where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("state", "=", admin.LaunchPlanState.ACTIVE).execute();
    }
    await tx.updateTable("admin_launch_plans").set({ state: req.state, updated_at: now }).where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("version", "=", key.version).execute();
  });
  onChange?.(key, req.state === admin.LaunchPlanState.ACTIVE);
  return create(admin.LaunchPlanUpdateResponseSchema, {});
}

export { launchPlanIdentifier };
