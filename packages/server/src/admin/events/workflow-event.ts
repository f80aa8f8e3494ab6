// CreateWorkflowEvent: the engine (or any flytepropeller-like reporter) moves an execution through its phases.
// As flyteadmin: a repeated phase is ALREADY_EXISTS, anything after a terminal phase is FAILED_PRECONDITION,
// and the closure gets start time, duration, outputs or error from the event.
import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { admin, core, type event } from "@aloft/idl";
import { AlreadyExistsError, FailedPreconditionError } from "../../errors.ts";
import type { AdminContext } from "../../context.ts";
import { requirePresent } from "../validate.ts";
import { isTerminalPhase, phaseName, phaseOf, showExec, type ExecKey } from "../executions/rows.ts";
import { eventBatcher, type ExecState } from "./batch.ts";

export type PhaseListener = (execution: admin.Execution, previous: core.WorkflowExecution_Phase) => void;

export async function createWorkflowEvent(ctx: AdminContext, req: admin.WorkflowExecutionEventRequest, onPhase?: PhaseListener): Promise<admin.WorkflowExecutionEventResponse> {
  const ev: event.WorkflowExecutionEvent = requirePresent(req.event, "event");
  await eventBatcher(ctx, onPhase).one({ kind: "workflow", e: ev });
  return create(admin.WorkflowExecutionEventResponseSchema, {});
}

/** Applies one workflow event to an execution record; throws, changing nothing, when it is refused. Returns the phase it left. */
export function applyWorkflowEvent(state: ExecState, ev: event.WorkflowExecutionEvent, key: ExecKey, occurred: Date): core.WorkflowExecution_Phase {
  const row = state.row;
  const current = phaseOf(row.phase);
  if (current === ev.phase) throw new AlreadyExistsError(`execution ${showExec(key)} already recorded phase ${phaseName(ev.phase)}`);
  if (isTerminalPhase(current)) throw new FailedPreconditionError(`execution ${showExec(key)} is already in terminal phase ${row.phase}; cannot move to ${phaseName(ev.phase)}`);
  const closure = state.closure;
  closure.phase = ev.phase;
  closure.updatedAt = timestampFromDate(occurred);
  let startedAt = row.started_at;
  if (ev.phase === core.WorkflowExecution_Phase.RUNNING || (startedAt === null && ev.phase !== core.WorkflowExecution_Phase.QUEUED && ev.phase !== core.WorkflowExecution_Phase.UNDEFINED)) {
    startedAt = startedAt ?? occurred;
    closure.startedAt = timestampFromDate(startedAt);
  }
  let durationMs = row.duration_ms;
  let errorKind = row.error_kind;
  let errorCode = row.error_code;
  if (isTerminalPhase(ev.phase)) {
    durationMs = startedAt ? Math.max(0, occurred.getTime() - startedAt.getTime()) : 0;
    closure.duration = durationFromMs(durationMs);
    const out = ev.outputResult;
    // TerminateExecution recorded why (abort metadata with the cause); the engine's ABORTED event, which may carry an
    // error saying it was aborted, completes the record without replacing it, as flyteadmin keeps it.
    const terminated = ev.phase === core.WorkflowExecution_Phase.ABORTED && closure.outputResult.case === "abortMetadata";
    if (terminated) {
      // Kept as TerminateExecution wrote it.
    } else if (out.case === "outputUri") closure.outputResult = { case: "outputs", value: create(admin.LiteralMapBlobSchema, { data: { case: "uri", value: out.value } }) };
    else if (out.case === "outputData") closure.outputResult = { case: "outputData", value: out.value };
    else if (out.case === "error") {
      closure.outputResult = { case: "error", value: out.value };
      errorKind = core.ExecutionError_ErrorKind[out.value.kind] ?? null;
      errorCode = out.value.code;
    } else if (ev.phase === core.WorkflowExecution_Phase.ABORTED) {
      closure.outputResult = { case: "abortMetadata", value: create(admin.AbortMetadataSchema, { cause: "aborted" }) };
    }
  }
  Object.assign(row, { phase: phaseName(ev.phase), started_at: startedAt, duration_ms: durationMs, error_kind: errorKind, error_code: errorCode, updated_at: occurred });
  return current;
}
