// CreateExecution: resolve the launch plan (or a single task), check and complete the inputs, name the execution,
// store its inputs in the blob store, record it, and hand it to the engine.
import { create, toBinary } from "@bufbuild/protobuf";
import { CompiledQuery } from "kysely";
import { columnArrays, upsertSql, type Columns } from "@aloft/engine";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { admin, core } from "@aloft/idl";
import { AdminError, AlreadyExistsError, InvalidArgumentError } from "../../errors.ts";
import type { AdminContext } from "../../context.ts";
import { getLaunchPlanRow } from "../launch-plan-rows.ts";
import { getCompiledWorkflow } from "../workflows.ts";
import { cached } from "../entity-cache.ts";
import { requireIdentifier, requirePresent, requireProjectAndDomain, requireString, type Key } from "../validate.ts";
import { fromBinary } from "@bufbuild/protobuf";
import { resolveExecutionInputs } from "./inputs.ts";
import { applyExecutionConfig } from "./execution-config.ts";
import { randomExecutionName, validateExecutionName } from "./naming.ts";
import { executionIdentifier, showExec, type ExecKey } from "./rows.ts";
import { singleTaskWorkflow } from "./single-task.ts";
import { INLINE_INPUTS_MAX_BYTES } from "./data.ts";
import { groupOf } from "../group.ts";
import type { ExecutionRow } from "../../db/schema.ts";

export interface PreparedLaunch {
  key: ExecKey;
  spec: admin.ExecutionSpec;
  closure: core.CompiledWorkflowClosure;
  inputs: core.LiteralMap;
  userInputs: core.LiteralMap;
  launchPlan: Key | undefined;
  workflow: Key;
  task: Key | undefined;
}

const show = (k: Key) => `${k.project}/${k.domain}/${k.name}/${k.version}`;

/** Resolves what an execution request runs and with which inputs; shared by create, relaunch, recover and the scheduler. */
export async function prepareLaunch(ctx: AdminContext, project: string, domain: string, name: string, spec: admin.ExecutionSpec, userInputs: core.LiteralMap | undefined): Promise<PreparedLaunch> {
  const ref = requirePresent(spec.launchPlan, "spec.launch_plan");
  const key = { project, domain, name };
  const user = userInputs ?? create(core.LiteralMapSchema, {});
  if (ref.resourceType === core.ResourceType.TASK) {
    const taskKey = requireIdentifier(ref, "spec.launch_plan", core.ResourceType.TASK);
    const { closure, expected } = await singleTaskWorkflow(ctx, taskKey);
    const inputs = resolveExecutionInputs(user, undefined, expected);
    return { key, spec, closure, inputs, userInputs: user, launchPlan: undefined, workflow: { ...taskKey, name: `.flytegen.${taskKey.name}` }, task: taskKey };
  }
  if (ref.resourceType !== core.ResourceType.LAUNCH_PLAN && ref.resourceType !== core.ResourceType.UNSPECIFIED) {
    throw new InvalidArgumentError(`spec.launch_plan.resource_type must be LAUNCH_PLAN or TASK, got ${core.ResourceType[ref.resourceType]}`);
  }
  const lpKey = requireIdentifier(ref, "spec.launch_plan", core.ResourceType.LAUNCH_PLAN);
  const lp = await cached(ctx.db as never, `lp:${show(lpKey)}`, async () => {
    const row = await getLaunchPlanRow(ctx, lpKey);
    return row && { spec: fromBinary(admin.LaunchPlanSpecSchema, row.spec), closure: fromBinary(admin.LaunchPlanClosureSchema, row.closure) };
  });
  if (!lp) throw new InvalidArgumentError(`spec.launch_plan: launch plan ${show(lpKey)} is not registered`);
  const { spec: lpSpec, closure: lpClosure } = lp;
  const wfId = requirePresent(lpSpec.workflowId, "launch plan spec.workflow_id");
  const wfKey = { project: wfId.project, domain: wfId.domain, name: wfId.name, version: wfId.version };
  const closure = (await cached(ctx.db as never, `wf:${show(wfKey)}`, () => getCompiledWorkflow(ctx, wfKey)))!;
  const inputs = resolveExecutionInputs(user, lpSpec.fixedInputs, lpClosure.expectedInputs);
  // Settings the request leaves unset come from the launch plan, as flyteadmin merges them.
  if (!spec.labels) spec.labels = lpSpec.labels;
  if (!spec.annotations) spec.annotations = lpSpec.annotations;
  if (!spec.securityContext) spec.securityContext = lpSpec.securityContext;
  if (!spec.rawOutputDataConfig) spec.rawOutputDataConfig = lpSpec.rawOutputDataConfig;
  if (!spec.qualityOfService) spec.qualityOfService = lpSpec.qualityOfService;
  if (spec.maxParallelism === 0) spec.maxParallelism = lpSpec.maxParallelism;
  if (!spec.interruptible) spec.interruptible = lpSpec.interruptible;
  if (!spec.overwriteCache) spec.overwriteCache = lpSpec.overwriteCache;
  if (!spec.envs) spec.envs = lpSpec.envs;
  spec.launchPlan = create(core.IdentifierSchema, { resourceType: core.ResourceType.LAUNCH_PLAN, ...lpKey });
  await applyExecutionConfig(ctx, spec, project, domain, wfKey.name);
  return { key, spec, closure, inputs, userInputs: user, launchPlan: lpKey, workflow: wfKey, task: undefined };
}

/** Records the execution and starts it. The row is written before the engine is told, so events always find it. */
export interface LaunchExtra {
  sourceExecution?: ExecKey;
  /** Set for a child execution the engine already started for a launch-plan node: record it, do not launch it. */
  childOf?: { execution: ExecKey; nodeId: string };
}

export async function launchPrepared(ctx: AdminContext, p: PreparedLaunch, extra: LaunchExtra = {}): Promise<void> {
  const now = ctx.now();
  const inBytes = toBinary(core.LiteralMapSchema, p.inputs);
  const userBytes = toBinary(core.LiteralMapSchema, p.userInputs);
  // Most requests give every input (no defaults, no fixed inputs): then one copy serves as both.
  const same = inBytes.length === userBytes.length && inBytes.every((b, i) => b === userBytes[i]);
  // Small inputs stay in the record (no blob, no fsync per execution); larger ones are offloaded, as flyteadmin does.
  const inline = inBytes.length <= INLINE_INPUTS_MAX_BYTES && userBytes.length <= INLINE_INPUTS_MAX_BYTES;
  const inUri = inline ? "" : ctx.layout.executionInputs(p.key);
  const userUri = inline ? "" : same ? inUri : ctx.layout.executionUserInputs(p.key);
  if (!inline) {
    const put = { contentType: "application/x-protobuf" };
    await Promise.all([ctx.blobs.put(inUri, inBytes, put), ...(same ? [] : [ctx.blobs.put(userUri, userBytes, put)])]);
  }
  const metadata = p.spec.metadata ?? create(admin.ExecutionMetadataSchema, {});
  p.spec.metadata = metadata;
  const closure = create(admin.ExecutionClosureSchema, {
    phase: core.WorkflowExecution_Phase.UNDEFINED,
    createdAt: timestampFromDate(now),
    updatedAt: timestampFromDate(now),
    workflowId: create(core.IdentifierSchema, { resourceType: core.ResourceType.WORKFLOW, ...p.workflow }),
    stateChangeDetails: { state: admin.ExecutionState.EXECUTION_ACTIVE, occurredAt: timestampFromDate(now), principal: metadata.principal },
  });
  const inserted = await groupOf(ctx, "insert-execution", (rows: ExecutionRow[]) => insertExecutions(ctx, rows)).run({
    ...p.key,
    phase: "UNDEFINED",
    spec: toBinary(admin.ExecutionSpecSchema, p.spec),
    closure: toBinary(admin.ExecutionClosureSchema, closure),
    launch_plan_project: p.launchPlan?.project ?? "",
    launch_plan_domain: p.launchPlan?.domain ?? "",
    launch_plan_name: p.launchPlan?.name ?? "",
    launch_plan_version: p.launchPlan?.version ?? "",
    workflow_project: p.workflow.project,
    workflow_domain: p.workflow.domain,
    workflow_name: p.workflow.name,
    workflow_version: p.workflow.version,
    task_name: p.task?.name ?? "",
    task_version: p.task?.version ?? "",
    mode: metadata.mode,
    state: 0,
    principal: metadata.principal,
    cluster: "",
    error_kind: null,
    error_code: null,
    inputs_uri: inUri,
    user_inputs_uri: userUri,
    inputs: inline ? inBytes : null,
    user_inputs: inline && !same ? userBytes : null,
    source_execution: extra.sourceExecution ? showExec(extra.sourceExecution) : null,
    parent_node_execution: extra.childOf ? `${showExec(extra.childOf.execution)}/${extra.childOf.nodeId}` : null,
    started_at: null,
    duration_ms: 0,
    created_at: now,
    updated_at: now,
  });
  if (!inserted) throw new AlreadyExistsError(`execution ${showExec(p.key)} already exists`);
  if (extra.childOf) return;
  if (!ctx.launcher) throw new AdminError("UNAVAILABLE", "no execution engine is attached to this server");
  try {
    await ctx.launcher.launch({
      id: executionIdentifier(p.key),
      closure: p.closure,
      inputs: p.inputs,
      inputsUri: inUri || undefined,
      rawOutputPrefix: p.spec.rawOutputDataConfig?.outputLocationPrefix || ctx.layout.rawDataPrefix,
      maxParallelism: p.spec.maxParallelism,
      interruptible: p.spec.interruptible,
      overwriteCache: p.spec.overwriteCache,
    });
  } catch (e) {
    // The execution exists but never started: record why, as flyteadmin does for launch failures.
    const failed = create(admin.ExecutionClosureSchema, {
      ...closure,
      phase: core.WorkflowExecution_Phase.FAILED,
      outputResult: { case: "error", value: create(core.ExecutionErrorSchema, { code: "LaunchFailed", message: (e as Error).message, kind: core.ExecutionError_ErrorKind.SYSTEM }) },
    });
    await ctx.db.updateTable("admin_executions").set({ phase: "FAILED", closure: toBinary(admin.ExecutionClosureSchema, failed), error_code: "LaunchFailed", error_kind: "SYSTEM" }).where("project", "=", p.key.project).where("domain", "=", p.key.domain).where("name", "=", p.key.name).execute();
    throw e;
  }
}

const EXECUTION_COLUMNS: Columns = [
  ["project", "text"], ["domain", "text"], ["name", "text"], ["phase", "text"], ["spec", "bytea"], ["closure", "bytea"],
  ["launch_plan_project", "text"], ["launch_plan_domain", "text"], ["launch_plan_name", "text"], ["launch_plan_version", "text"],
  ["workflow_project", "text"], ["workflow_domain", "text"], ["workflow_name", "text"], ["workflow_version", "text"], ["task_name", "text"],
  ["task_version", "text"], ["mode", "int4"], ["state", "int4"], ["principal", "text"], ["cluster", "text"], ["error_kind", "text"], ["error_code", "text"],
  ["inputs_uri", "text"], ["user_inputs_uri", "text"], ["inputs", "bytea"], ["user_inputs", "bytea"], ["source_execution", "text"], ["parent_node_execution", "text"], ["started_at", "timestamptz"],
  ["duration_ms", "int8"], ["created_at", "timestamptz"], ["updated_at", "timestamptz"],
];
// One text for any number of rows (the columns as arrays), so the database keeps it prepared.
const INSERT_EXECUTIONS = `${upsertSql({ table: "admin_executions", columns: EXECUTION_COLUMNS, key: ["project", "domain", "name"], update: [] }, 1)} returning project, domain, name`;

/**
 * Records executions in one multi-row insert; true for each row inserted, false for a name that exists (already in
 * the database, or earlier in the same batch). A batch the database refuses is retried row by row, so one bad row
 * fails only its own request.
 */
async function insertExecutions(ctx: AdminContext, rows: ExecutionRow[]): Promise<(boolean | Error)[]> {
  const seen = new Set<string>();
  const fresh = rows.map((r) => {
    const k = showExec(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const insert = async (all: ExecutionRow[]) => {
    const done = new Set<string>();
    for (let i = 0; i < all.length; i += 1000) {
      const part = all.slice(i, i + 1000);
      const { rows } = await ctx.db.executeQuery(CompiledQuery.raw(INSERT_EXECUTIONS, columnArrays(part, EXECUTION_COLUMNS)));
      for (const r of rows as ExecKey[]) done.add(showExec(r));
    }
    return done;
  };
  const firsts = rows.filter((_, i) => fresh[i]);
  try {
    const inserted = await insert(firsts);
    return rows.map((r, i) => fresh[i]! && inserted.has(showExec(r)));
  } catch (batchError) {
    if (firsts.length === 1) return rows.map((_, i) => (fresh[i] ? (batchError as Error) : false));
    return Promise.all(rows.map((r, i) => (fresh[i] ? insert([r]).then((s) => s.size === 1, (e: Error) => e) : false)));
  }
}

export async function createExecution(ctx: AdminContext, req: admin.ExecutionCreateRequest): Promise<admin.ExecutionCreateResponse> {
  const project = requireString(req.project, "project");
  const domain = requireString(req.domain, "domain");
  if (req.name !== "") validateExecutionName(req.name);
  const spec = requirePresent(req.spec, "spec");
  const name = req.name || randomExecutionName();
  if (!spec.metadata) spec.metadata = create(admin.ExecutionMetadataSchema, { mode: admin.ExecutionMetadata_ExecutionMode.MANUAL });
  // The project check and resolving the launch plan read the database independently: both at once. A request failing
  // both is told about the project first, as when they ran in turn.
  const [projectOk, launch] = await Promise.allSettled([requireProjectAndDomain(ctx, project, domain), prepareLaunch(ctx, project, domain, name, spec, req.inputs)]);
  if (projectOk.status === "rejected") throw projectOk.reason;
  if (launch.status === "rejected") throw launch.reason;
  const prepared = launch.value;
  await launchPrepared(ctx, prepared);
  return create(admin.ExecutionCreateResponseSchema, { id: executionIdentifier(prepared.key) });
}
