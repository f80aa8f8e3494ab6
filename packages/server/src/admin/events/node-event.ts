// CreateNodeEvent: node execution records are created by their first event and updated by later ones, as
// flyteadmin builds them. Late or repeated events never move a record back: same phase is ALREADY_EXISTS, and
// after a terminal phase FAILED_PRECONDITION.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { admin, core, type event } from "@aloft/idl";
import { AlreadyExistsError, FailedPreconditionError } from "../../errors.ts";
import type { AdminContext } from "../../context.ts";
import { requirePresent } from "../validate.ts";
import { showExec, type ExecKey } from "../executions/rows.ts";
import type { NodeExecutionRow } from "../../db/schema.ts";
import { eventBatcher } from "./batch.ts";

const terminal = new Set([
  core.NodeExecution_Phase.SUCCEEDED,
  core.NodeExecution_Phase.FAILED,
  core.NodeExecution_Phase.TIMED_OUT,
  core.NodeExecution_Phase.ABORTED,
  core.NodeExecution_Phase.SKIPPED,
  core.NodeExecution_Phase.RECOVERED,
]);

export const nodePhaseName = (p: core.NodeExecution_Phase) => core.NodeExecution_Phase[p] ?? "UNDEFINED";
const nodePhaseOf = (n: string) => ((core.NodeExecution_Phase as unknown as Record<string, number>)[n] ?? 0) as core.NodeExecution_Phase;

/** A node record as a batch holds it: the row, and its closure once decoded. */
export interface NodeState {
  row: NodeExecutionRow;
  closure: admin.NodeExecutionClosure | undefined;
}

export async function createNodeEvent(ctx: AdminContext, req: admin.NodeExecutionEventRequest): Promise<admin.NodeExecutionEventResponse> {
  const ev: event.NodeExecutionEvent = requirePresent(req.event, "event");
  await eventBatcher(ctx).one({ kind: "node", e: ev });
  return create(admin.NodeExecutionEventResponseSchema, {});
}

/** Applies one node event to its record (undefined: none yet); throws, changing nothing, when it is refused. */
export function applyNodeEvent(state: NodeState | undefined, ev: event.NodeExecutionEvent, key: ExecKey, nodeId: string, occurred: Date): NodeState {
  const row = state?.row;
  if (row) {
    const current = nodePhaseOf(row.phase);
    if (current === ev.phase && ev.phase !== core.NodeExecution_Phase.RUNNING) throw new AlreadyExistsError(`node ${nodeId} of ${showExec(key)} already recorded phase ${nodePhaseName(ev.phase)}`);
    if (terminal.has(current)) throw new FailedPreconditionError(`node ${nodeId} of ${showExec(key)} is already in terminal phase ${row.phase}`);
  }
  const closure = state ? (state.closure ?? fromBinary(admin.NodeExecutionClosureSchema, state.row.closure)) : create(admin.NodeExecutionClosureSchema, { createdAt: timestampFromDate(occurred) });
  closure.phase = ev.phase;
  closure.updatedAt = timestampFromDate(occurred);
  let startedAt = row?.started_at ?? null;
  if (ev.phase === core.NodeExecution_Phase.RUNNING && !startedAt) {
    startedAt = occurred;
    closure.startedAt = timestampFromDate(occurred);
  }
  let durationMs = row?.duration_ms ?? 0;
  const out = ev.outputResult;
  if (out.case === "outputUri") closure.outputResult = { case: "outputUri", value: out.value };
  else if (out.case === "outputData") closure.outputResult = { case: "outputData", value: out.value };
  else if (out.case === "error") closure.outputResult = { case: "error", value: out.value };
  if (terminal.has(ev.phase)) {
    durationMs = startedAt ? Math.max(0, occurred.getTime() - startedAt.getTime()) : 0;
    closure.duration = durationFromMs(durationMs);
  }
  if (ev.targetMetadata.case === "taskNodeMetadata") {
    const t = ev.targetMetadata.value;
    closure.targetMetadata = { case: "taskNodeMetadata", value: create(admin.TaskNodeMetadataSchema, { cacheStatus: t.cacheStatus, catalogKey: t.catalogKey, checkpointUri: t.checkpointUri }) };
  } else if (ev.targetMetadata.case === "workflowNodeMetadata") {
    closure.targetMetadata = { case: "workflowNodeMetadata", value: create(admin.WorkflowNodeMetadataSchema, { executionId: ev.targetMetadata.value.executionId }) };
  }
  if (ev.deckUri) closure.deckUri = ev.deckUri;
  if (ev.targetMetadata.case === "taskNodeMetadata" && ev.targetMetadata.value.dynamicWorkflow) {
    closure.dynamicJobSpecUri = ev.targetMetadata.value.dynamicWorkflow.dynamicJobSpecUri;
  }
  const metadata = create(admin.NodeExecutionMetaDataSchema, {
    retryGroup: ev.retryGroup,
    isParentNode: ev.isParent,
    specNodeId: ev.specNodeId,
    isDynamic: ev.isDynamic,
    isArray: ev.isArray,
  });
  const dynamicWorkflow = ev.targetMetadata.case === "taskNodeMetadata" && ev.targetMetadata.value.dynamicWorkflow?.compiledWorkflow ? toBinary(core.CompiledWorkflowClosureSchema, ev.targetMetadata.value.dynamicWorkflow.compiledWorkflow) : (row?.dynamic_workflow ?? null);
  const cacheStatus = ev.targetMetadata.case === "taskNodeMetadata" ? core.CatalogCacheStatus[ev.targetMetadata.value.cacheStatus] ?? null : (row?.cache_status ?? null);
  const values = {
    phase: nodePhaseName(ev.phase),
    metadata: toBinary(admin.NodeExecutionMetaDataSchema, metadata),
    input_uri: ev.inputValue.case === "inputUri" ? ev.inputValue.value : (row?.input_uri ?? ""),
    input_data: ev.inputValue.case === "inputData" ? toBinary(core.LiteralMapSchema, ev.inputValue.value) : (row?.input_data ?? null),
    // Children of a dynamic task are reported under its task execution (flytepropeller) or its node (the engine).
    parent_node_id: ev.parentNodeMetadata?.nodeId || ev.parentTaskMetadata?.id?.nodeExecutionId?.nodeId || (row?.parent_node_id ?? null),
    dynamic_workflow: dynamicWorkflow,
    error_kind: out.case === "error" ? (core.ExecutionError_ErrorKind[out.value.kind] ?? null) : (row?.error_kind ?? null),
    error_code: out.case === "error" ? out.value.code : (row?.error_code ?? null),
    cache_status: cacheStatus,
    started_at: startedAt,
    duration_ms: durationMs,
    event_time_ms: occurred.getTime(),
    updated_at: occurred,
  };
  if (state) {
    Object.assign(state.row, values);
    state.closure = closure;
    return state;
  }
  return { row: { ...key, node_id: nodeId, ...values, closure: new Uint8Array(), created_at: occurred }, closure };
}
