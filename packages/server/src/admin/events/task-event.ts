// CreateTaskEvent: one record per (node execution, task, retry attempt), created by its first event. Within a
// phase, a higher phase_version carries new information (logs, reasons); an equal or older one is ALREADY_EXISTS.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { admin, core, type event } from "@aloft/idl";
import { AlreadyExistsError, FailedPreconditionError, NotFoundError } from "../../errors.ts";
import type { AdminContext } from "../../context.ts";
import { requireIdentifier, requirePresent, requireString } from "../validate.ts";
import { requireExecutionId, showExec } from "../executions/rows.ts";

const terminal = new Set([core.TaskExecution_Phase.SUCCEEDED, core.TaskExecution_Phase.FAILED, core.TaskExecution_Phase.ABORTED]);
export const taskPhaseName = (p: core.TaskExecution_Phase) => core.TaskExecution_Phase[p] ?? "UNDEFINED";
const taskPhaseOf = (n: string) => ((core.TaskExecution_Phase as unknown as Record<string, number>)[n] ?? 0) as core.TaskExecution_Phase;

export async function createTaskEvent(ctx: AdminContext, req: admin.TaskExecutionEventRequest): Promise<admin.TaskExecutionEventResponse> {
  const ev: event.TaskExecutionEvent = requirePresent(req.event, "event");
  const task = requireIdentifier(ev.taskId, "event.task_id", core.ResourceType.TASK);
  const parent = requirePresent(ev.parentNodeExecutionId, "event.parent_node_execution_id");
  const key = requireExecutionId(parent.executionId, "event.parent_node_execution_id.execution_id");
  const nodeId = requireString(parent.nodeId, "event.parent_node_execution_id.node_id");
  const occurred = ev.occurredAt ? timestampDate(ev.occurredAt) : ctx.now();
  const where = {
    project: key.project,
    domain: key.domain,
    name: key.name,
    node_id: nodeId,
    task_project: task.project,
    task_domain: task.domain,
    task_name: task.name,
    task_version: task.version,
    retry_attempt: ev.retryAttempt,
  };
  await ctx.db.transaction().execute(async (tx) => {
    let qb = tx.selectFrom("admin_task_executions").selectAll();
    for (const [k, v] of Object.entries(where)) qb = qb.where(k as keyof typeof where, "=", v as never);
    const row = await qb.forUpdate().executeTakeFirst();
    // A task record is only created under a node record that exists (checked once, when it is created).
    if (!row) {
      const node = await tx.selectFrom("admin_node_executions").select("node_id").where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("node_id", "=", nodeId).executeTakeFirst();
      if (!node) throw new NotFoundError(`node execution ${nodeId} of ${showExec(key)} not found; its node event must come first`);
    }
    if (row) {
      const current = taskPhaseOf(row.phase);
      if (current === ev.phase && ev.phaseVersion <= row.phase_version) throw new AlreadyExistsError(`task execution ${task.name} attempt ${ev.retryAttempt} already recorded phase ${row.phase} version ${row.phase_version}`);
      if (terminal.has(current)) throw new FailedPreconditionError(`task execution ${task.name} attempt ${ev.retryAttempt} is already in terminal phase ${row.phase}`);
    }
    const closure = row ? fromBinary(admin.TaskExecutionClosureSchema, row.closure) : create(admin.TaskExecutionClosureSchema, { createdAt: timestampFromDate(occurred) });
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
      closure: toBinary(admin.TaskExecutionClosureSchema, closure),
      input_uri: ev.inputValue.case === "inputUri" ? ev.inputValue.value : (row?.input_uri ?? ""),
      started_at: startedAt,
      duration_ms: durationMs,
      event_time_ms: occurred.getTime(),
      updated_at: occurred,
    };
    if (row) {
      let up = tx.updateTable("admin_task_executions").set(values);
      for (const [k, v] of Object.entries(where)) up = up.where(k as keyof typeof where, "=", v as never);
      await up.execute();
    } else {
      await tx.insertInto("admin_task_executions").values({ ...where, ...values, created_at: occurred }).execute();
    }
  });
  return create(admin.TaskExecutionEventResponseSchema, {});
}
