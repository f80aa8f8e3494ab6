// CreateTaskEvent: one record per (node execution, task, retry attempt), created by its first event. Within a
// phase, a higher phase_version carries new information (logs, reasons); an equal or older one is ALREADY_EXISTS.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { admin, core, type event } from "@aloft/idl";
import { AlreadyExistsError, FailedPreconditionError } from "../../errors.ts";
import type { AdminContext } from "../../context.ts";
import { requirePresent, type Key } from "../validate.ts";
import type { ExecKey } from "../executions/rows.ts";
import type { TaskExecutionRow } from "../../db/schema.ts";
import { eventBatcher } from "./batch.ts";

const terminal = new Set([core.TaskExecution_Phase.SUCCEEDED, core.TaskExecution_Phase.FAILED, core.TaskExecution_Phase.ABORTED]);
export const taskPhaseName = (p: core.TaskExecution_Phase) => core.TaskExecution_Phase[p] ?? "UNDEFINED";
const taskPhaseOf = (n: string) => ((core.TaskExecution_Phase as unknown as Record<string, number>)[n] ?? 0) as core.TaskExecution_Phase;

/** A task execution record as a batch holds it: the row, and its closure once decoded. */
export interface TaskState {
  row: TaskExecutionRow;
  closure: admin.TaskExecutionClosure | undefined;
}

export async function createTaskEvent(ctx: AdminContext, req: admin.TaskExecutionEventRequest): Promise<admin.TaskExecutionEventResponse> {
  const ev: event.TaskExecutionEvent = requirePresent(req.event, "event");
  await eventBatcher(ctx).one({ kind: "task", e: ev });
  return create(admin.TaskExecutionEventResponseSchema, {});
}

/** Applies one task event to its record (undefined: none yet); throws, changing nothing, when it is refused. */
export function applyTaskEvent(state: TaskState | undefined, ev: event.TaskExecutionEvent, key: ExecKey, nodeId: string, task: Key, occurred: Date): TaskState {
  const row = state?.row;
  if (row) {
    const current = taskPhaseOf(row.phase);
    if (current === ev.phase && ev.phaseVersion <= row.phase_version) throw new AlreadyExistsError(`task execution ${task.name} attempt ${ev.retryAttempt} already recorded phase ${row.phase} version ${row.phase_version}`);
    if (terminal.has(current)) throw new FailedPreconditionError(`task execution ${task.name} attempt ${ev.retryAttempt} is already in terminal phase ${row.phase}`);
  }
  const closure = state ? (state.closure ?? fromBinary(admin.TaskExecutionClosureSchema, state.row.closure)) : create(admin.TaskExecutionClosureSchema, { createdAt: timestampFromDate(occurred) });
  closure.phase = ev.phase;
  closure.updatedAt = timestampFromDate(occurred);
  // Logs accumulate across events; a log with a known name is replaced (its URI can change as a pod starts).
  for (const log of ev.logs) {
    const i = closure.logs.findIndex((l) => l.name === log.name);
    if (i >= 0) closure.logs[i] = log;
    else closure.logs.push(log);
  }
  let startedAt = row?.started_at ?? null;
  if (ev.phase === core.TaskExecution_Phase.RUNNING && !startedAt) {
    startedAt = occurred;
    closure.startedAt = timestampFromDate(occurred);
  }
  let durationMs = row?.duration_ms ?? 0;
  if (terminal.has(ev.phase)) {
    durationMs = startedAt ? Math.max(0, occurred.getTime() - startedAt.getTime()) : 0;
    closure.duration = durationFromMs(durationMs);
  }
  const out = ev.outputResult;
  if (out.case === "outputUri") closure.outputResult = { case: "outputUri", value: out.value };
  else if (out.case === "outputData") closure.outputResult = { case: "outputData", value: out.value };
  else if (out.case === "error") closure.outputResult = { case: "error", value: out.value };
  if (ev.customInfo) closure.customInfo = ev.customInfo;
  if (ev.reason) {
    closure.reason = ev.reason;
    closure.reasons.push(create(admin.ReasonSchema, { occurredAt: timestampFromDate(occurred), message: ev.reason }));
  }
  for (const r of ev.reasons) closure.reasons.push(create(admin.ReasonSchema, { occurredAt: r.occurredAt, message: r.reason }));
  if (ev.taskType) closure.taskType = ev.taskType;
  if (ev.metadata) closure.metadata = ev.metadata;
  closure.eventVersion = ev.eventVersion;
  const values = {
    phase: taskPhaseName(ev.phase),
    phase_version: ev.phaseVersion,
    input_uri: ev.inputValue.case === "inputUri" ? ev.inputValue.value : (row?.input_uri ?? ""),
    input_data: ev.inputValue.case === "inputData" ? toBinary(core.LiteralMapSchema, ev.inputValue.value) : (row?.input_data ?? null),
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
  const where = { ...key, node_id: nodeId, task_project: task.project, task_domain: task.domain, task_name: task.name, task_version: task.version, retry_attempt: ev.retryAttempt };
  return { row: { ...where, ...values, closure: new Uint8Array(), created_at: occurred }, closure };
}
