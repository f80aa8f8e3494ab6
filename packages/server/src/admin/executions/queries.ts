// Reading and changing executions: get, list, update (archive state), terminate, and GetExecutionData.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { admin, core } from "@aloft/idl";
import { withLocalBlobPaths } from "@aloft/engine";
import { readProtoIfExists } from "@aloft/storage";
import { FailedPreconditionError, InvalidArgumentError } from "../../errors.ts";
import type { AdminContext } from "../../context.ts";
import { executionColumns } from "../../query/columns.ts";
import { applyListQuery, page, parseListQuery } from "../../query/list-query.ts";
import { requirePresent, requireString } from "../validate.ts";
import { getExecutionRow, isTerminalPhase, phaseOf, requireExecutionId, showExec, toExecution } from "./rows.ts";
import { executionInputs, urlBlob } from "./data.ts";

export async function getExecution(ctx: AdminContext, req: admin.WorkflowExecutionGetRequest): Promise<admin.Execution> {
  return toExecution(await getExecutionRow(ctx, requireExecutionId(req.id, "id")));
}

export async function listExecutions(ctx: AdminContext, req: admin.ResourceListRequest): Promise<admin.ExecutionList> {
  const id = requirePresent(req.id, "id");
  const project = requireString(id.project, "id.project");
  const domain = requireString(id.domain, "id.domain");
  const q = parseListQuery(req, executionColumns, "executions");
  let qb = ctx.db.selectFrom("admin_executions").selectAll().where("project", "=", project).where("domain", "=", domain);
  if (id.name !== "") qb = qb.where("name", "=", id.name);
  // Archived executions are hidden unless the caller filters on state, as flyteadmin does.
  if (!q.filters.some((f) => f.column.sql === "state")) qb = qb.where("state", "=", admin.ExecutionState.EXECUTION_ACTIVE);
  const rows = await applyListQuery(qb, q, { column: "created_at", direction: "desc" }, ["name"]).execute();
  const { rows: pageRows, token } = page(rows, q);
  return create(admin.ExecutionListSchema, { executions: pageRows.map(toExecution), token });
}

export async function updateExecution(ctx: AdminContext, req: admin.ExecutionUpdateRequest): Promise<admin.ExecutionUpdateResponse> {
  const key = requireExecutionId(req.id, "id");
  if (!(req.state in admin.ExecutionState)) throw new InvalidArgumentError(`state: unknown execution state ${req.state}`);
  const row = await getExecutionRow(ctx, key);
  const closure = fromBinary(admin.ExecutionClosureSchema, row.closure);
  const now = ctx.now();
  closure.stateChangeDetails = create(admin.ExecutionStateChangeDetailsSchema, { state: req.state, occurredAt: timestampFromDate(now) });
  await ctx.db.updateTable("admin_executions").set({ state: req.state, closure: toBinary(admin.ExecutionClosureSchema, closure), updated_at: now }).where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).execute();
  return create(admin.ExecutionUpdateResponseSchema, {});
}

export async function terminateExecution(ctx: AdminContext, req: admin.ExecutionTerminateRequest): Promise<admin.ExecutionTerminateResponse> {
  const key = requireExecutionId(req.id, "id");
  const row = await getExecutionRow(ctx, key);
  if (isTerminalPhase(phaseOf(row.phase))) throw new FailedPreconditionError(`execution ${showExec(key)} has already ended with phase ${row.phase}`);
  const cause = req.cause || "terminated by user";
  // The abort cause is recorded first; the engine's ABORTED event then completes the closure.
  const closure = fromBinary(admin.ExecutionClosureSchema, row.closure);
  closure.outputResult = { case: "abortMetadata", value: create(admin.AbortMetadataSchema, { cause }) };
  await ctx.db.updateTable("admin_executions").set({ closure: toBinary(admin.ExecutionClosureSchema, closure), updated_at: ctx.now() }).where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).execute();
  if (ctx.launcher) await ctx.launcher.terminate(requirePresent(req.id, "id"), cause);
  return create(admin.ExecutionTerminateResponseSchema, {});
}

export async function getExecutionData(ctx: AdminContext, req: admin.WorkflowExecutionGetDataRequest): Promise<admin.WorkflowExecutionGetDataResponse> {
  const key = requireExecutionId(req.id, "id");
  const row = await getExecutionRow(ctx, key);
  const closure = fromBinary(admin.ExecutionClosureSchema, row.closure);
  const inputs = await executionInputs(ctx, row);
  let outputs: core.LiteralMap | undefined;
  let outputsUri = "";
  if (closure.outputResult.case === "outputData") outputs = closure.outputResult.value;
  else if (closure.outputResult.case === "outputs" && closure.outputResult.value.data.case === "uri") {
    outputsUri = closure.outputResult.value.data.value;
    outputs = await readProtoIfExists(ctx.blobs, outputsUri, core.LiteralMapSchema);
  }
  return create(admin.WorkflowExecutionGetDataResponseSchema, {
    fullInputs: withLocalBlobPaths(inputs),
    fullOutputs: withLocalBlobPaths(outputs ?? create(core.LiteralMapSchema, {})),
    inputs: await urlBlob(ctx, row.inputs_uri),
    outputs: outputsUri ? await urlBlob(ctx, outputsUri) : undefined,
  });
}
