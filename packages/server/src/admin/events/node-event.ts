// CreateNodeEvent: node execution records are created by their first event and updated by later ones, as
// flyteadmin builds them. Late or repeated events never move a record back: same phase is ALREADY_EXISTS, and
// after a terminal phase FAILED_PRECONDITION.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { admin, core, type event } from "@aloft/idl";
import { AlreadyExistsError, FailedPreconditionError, NotFoundError } from "../../errors.ts";
import type { AdminContext } from "../../context.ts";
import { requirePresent, requireString } from "../validate.ts";
import { requireExecutionId, showExec } from "../executions/rows.ts";

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

export async function createNodeEvent(ctx: AdminContext, req: admin.NodeExecutionEventRequest): Promise<admin.NodeExecutionEventResponse> {
  const ev: event.NodeExecutionEvent = requirePresent(req.event, "event");
  const id = requirePresent(ev.id, "event.id");
  const key = requireExecutionId(id.executionId, "event.id.execution_id");
  const nodeId = requireString(id.nodeId, "event.id.node_id");
  const occurred = ev.occurredAt ? timestampDate(ev.occurredAt) : ctx.now();
  await ctx.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom("admin_node_executions").selectAll().where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("node_id", "=", nodeId).forUpdate().executeTakeFirst();
    // A node record is only created for an execution that exists (checked once, when the record is created).
    if (!row) {
      const exec = await tx.selectFrom("admin_executions").select("name").where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).executeTakeFirst();
      if (!exec) throw new NotFoundError(`execution ${showExec(key)} not found`);
    }
    const closure = row ? fromBinary(admin.NodeExecutionClosureSchema, row.closure) : create(admin.NodeExecutionClosureSchema, { createdAt: timestampFromDate(occurred) });
    if (row) {
      const current = nodePhaseOf(row.phase);
      if (current === ev.phase && ev.phase !== core.NodeExecution_Phase.RUNNING) throw new AlreadyExistsError(`node ${nodeId} of ${showExec(key)} already recorded phase ${nodePhaseName(ev.phase)}`);
      if (terminal.has(current)) throw new FailedPreconditionError(`node ${nodeId} of ${showExec(key)} is already in terminal phase ${row.phase}`);
    }
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
      closure: toBinary(admin.NodeExecutionClosureSchema, closure),
      metadata: toBinary(admin.NodeExecutionMetaDataSchema, metadata),
      input_uri: ev.inputValue.case === "inputUri" ? ev.inputValue.value : (row?.input_uri ?? ""),
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
    if (row) {
      await tx.updateTable("admin_node_executions").set(values).where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("node_id", "=", nodeId).execute();
    } else {
      await tx.insertInto("admin_node_executions").values({ ...key, node_id: nodeId, ...values, created_at: occurred }).execute();
    }
  });
  return create(admin.NodeExecutionEventResponseSchema, {});
}
