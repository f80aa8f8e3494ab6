// Node and task execution reads. Top-level listing shows nodes without a parent, as flyteadmin does unless the
// request names a parent (unique_parent_id), so the console's tree view works the same.
import { create, fromBinary } from "@bufbuild/protobuf";
import { admin, core } from "@aloft/idl";
import { withLocalBlobPaths } from "@aloft/engine";
import { readProtoIfExists } from "@aloft/storage";
import { NotFoundError } from "../errors.ts";
import type { AdminContext } from "../context.ts";
import type { NodeExecutionRow, TaskExecutionRow } from "../db/schema.ts";
import { nodeExecutionColumns, taskExecutionColumns } from "../query/columns.ts";
import { applyListQuery, page, parseListQuery } from "../query/list-query.ts";
import { executionIdentifier, requireExecutionId, showExec } from "./executions/rows.ts";
import { urlBlob } from "./executions/data.ts";
import { requireIdentifier, requirePresent, requireString } from "./validate.ts";

function toNodeExecution(row: NodeExecutionRow): admin.NodeExecution {
  return create(admin.NodeExecutionSchema, {
    id: { executionId: executionIdentifier(row), nodeId: row.node_id },
    inputUri: row.input_uri,
    closure: fromBinary(admin.NodeExecutionClosureSchema, row.closure),
    metadata: fromBinary(admin.NodeExecutionMetaDataSchema, row.metadata),
  });
}

function toTaskExecution(row: TaskExecutionRow): admin.TaskExecution {
  return create(admin.TaskExecutionSchema, {
    id: {
      taskId: { resourceType: core.ResourceType.TASK, project: row.task_project, domain: row.task_domain, name: row.task_name, version: row.task_version },
      nodeExecutionId: { executionId: executionIdentifier(row), nodeId: row.node_id },
      retryAttempt: row.retry_attempt,
    },
    inputUri: row.input_uri,
    closure: fromBinary(admin.TaskExecutionClosureSchema, row.closure),
    isParent: false,
  });
}

async function nodeRow(ctx: AdminContext, id: core.NodeExecutionIdentifier | undefined, field: string): Promise<NodeExecutionRow> {
  const present = requirePresent(id, field);
  const key = requireExecutionId(present.executionId, `${field}.execution_id`);
  const nodeId = requireString(present.nodeId, `${field}.node_id`);
  const row = await ctx.db.selectFrom("admin_node_executions").selectAll().where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("node_id", "=", nodeId).executeTakeFirst();
  if (!row) throw new NotFoundError(`node execution ${nodeId} of ${showExec(key)} not found`);
  return row;
}

export async function getNodeExecution(ctx: AdminContext, req: admin.NodeExecutionGetRequest): Promise<admin.NodeExecution> {
  return toNodeExecution(await nodeRow(ctx, req.id, "id"));
}

export async function listNodeExecutions(ctx: AdminContext, req: admin.NodeExecutionListRequest): Promise<admin.NodeExecutionList> {
  const key = requireExecutionId(req.workflowExecutionId, "workflow_execution_id");
  const q = parseListQuery(req, nodeExecutionColumns, "node executions");
  let qb = ctx.db.selectFrom("admin_node_executions").selectAll().where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name);
  qb = req.uniqueParentId ? qb.where("parent_node_id", "=", req.uniqueParentId) : qb.where("parent_node_id", "is", null);
  const rows = await applyListQuery(qb, q, { column: "created_at", direction: "asc" }, ["node_id"]).execute();
  const { rows: pageRows, token } = page(rows, q);
  return create(admin.NodeExecutionListSchema, { nodeExecutions: pageRows.map(toNodeExecution), token });
}

/** The nodes a task execution started (a dynamic task's workflow): children of the task's node. */
export async function listNodeExecutionsForTask(ctx: AdminContext, req: admin.NodeExecutionForTaskListRequest): Promise<admin.NodeExecutionList> {
  const task = await taskRow(ctx, req.taskExecutionId, "task_execution_id");
  const q = parseListQuery(req, nodeExecutionColumns, "node executions");
  const qb = ctx.db.selectFrom("admin_node_executions").selectAll().where("project", "=", task.project).where("domain", "=", task.domain).where("name", "=", task.name).where("parent_node_id", "=", task.node_id);
  const rows = await applyListQuery(qb, q, { column: "created_at", direction: "asc" }, ["node_id"]).execute();
  const { rows: pageRows, token } = page(rows, q);
  return create(admin.NodeExecutionListSchema, { nodeExecutions: pageRows.map(toNodeExecution), token });
}

/** Inputs as the events gave them: an inputs.pb (container tasks) or inline data (in-process nodes). */
async function recordedInputs(ctx: AdminContext, row: { input_uri: string; input_data: Uint8Array | null }): Promise<core.LiteralMap | undefined> {
  if (row.input_uri) return readProtoIfExists(ctx.blobs, row.input_uri, core.LiteralMapSchema);
  return row.input_data ? fromBinary(core.LiteralMapSchema, row.input_data) : undefined;
}

export async function getNodeExecutionData(ctx: AdminContext, req: admin.NodeExecutionGetDataRequest): Promise<admin.NodeExecutionGetDataResponse> {
  const row = await nodeRow(ctx, req.id, "id");
  const closure = fromBinary(admin.NodeExecutionClosureSchema, row.closure);
  const inputs = await recordedInputs(ctx, row);
  let outputs: core.LiteralMap | undefined;
  let outputUri = "";
  if (closure.outputResult.case === "outputUri") {
    outputUri = closure.outputResult.value;
    outputs = await readProtoIfExists(ctx.blobs, outputUri, core.LiteralMapSchema);
  } else if (closure.outputResult.case === "outputData") outputs = closure.outputResult.value;
  const dynamic = row.dynamic_workflow ? fromBinary(core.CompiledWorkflowClosureSchema, row.dynamic_workflow) : undefined;
  return create(admin.NodeExecutionGetDataResponseSchema, {
    fullInputs: withLocalBlobPaths(inputs ?? create(core.LiteralMapSchema, {})),
    fullOutputs: withLocalBlobPaths(outputs ?? create(core.LiteralMapSchema, {})),
    inputs: await urlBlob(ctx, row.input_uri),
    outputs: outputUri ? await urlBlob(ctx, outputUri) : undefined,
    dynamicWorkflow: dynamic ? { id: dynamic.primary?.template?.id, compiledWorkflow: dynamic } : undefined,
  });
}

export async function getDynamicNodeWorkflow(ctx: AdminContext, req: admin.GetDynamicNodeWorkflowRequest): Promise<admin.DynamicNodeWorkflowResponse> {
  const row = await nodeRow(ctx, req.id, "id");
  if (!row.dynamic_workflow) throw new NotFoundError(`node ${row.node_id} has no dynamic workflow`);
  return create(admin.DynamicNodeWorkflowResponseSchema, { compiledWorkflow: fromBinary(core.CompiledWorkflowClosureSchema, row.dynamic_workflow) });
}

function taskExecutionWhere(id: core.TaskExecutionIdentifier | undefined, field: string) {
  const present = requirePresent(id, field);
  const node = requirePresent(present.nodeExecutionId, `${field}.node_execution_id`);
  const key = requireExecutionId(node.executionId, `${field}.node_execution_id.execution_id`);
  const task = requireIdentifier(present.taskId, `${field}.task_id`, core.ResourceType.TASK);
  return {
    project: key.project,
    domain: key.domain,
    name: key.name,
    node_id: requireString(node.nodeId, `${field}.node_execution_id.node_id`),
    task_project: task.project,
    task_domain: task.domain,
    task_name: task.name,
    task_version: task.version,
    retry_attempt: present.retryAttempt,
  };
}

async function taskRow(ctx: AdminContext, id: core.TaskExecutionIdentifier | undefined, field = "id"): Promise<TaskExecutionRow> {
  const where = taskExecutionWhere(id, field);
  let qb = ctx.db.selectFrom("admin_task_executions").selectAll();
  for (const [k, v] of Object.entries(where)) qb = qb.where(k as keyof typeof where, "=", v as never);
  const row = await qb.executeTakeFirst();
  if (!row) throw new NotFoundError(`task execution ${where.task_name} attempt ${where.retry_attempt} of node ${where.node_id} in ${showExec(where)} not found`);
  return row;
}

export async function getTaskExecution(ctx: AdminContext, req: admin.TaskExecutionGetRequest): Promise<admin.TaskExecution> {
  return toTaskExecution(await taskRow(ctx, req.id));
}

export async function listTaskExecutions(ctx: AdminContext, req: admin.TaskExecutionListRequest): Promise<admin.TaskExecutionList> {
  const node = requirePresent(req.nodeExecutionId, "node_execution_id");
  const key = requireExecutionId(node.executionId, "node_execution_id.execution_id");
  const nodeId = requireString(node.nodeId, "node_execution_id.node_id");
  const q = parseListQuery(req, taskExecutionColumns, "task executions");
  const qb = ctx.db.selectFrom("admin_task_executions").selectAll().where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("node_id", "=", nodeId);
  const rows = await applyListQuery(qb, q, { column: "retry_attempt", direction: "asc" }, ["task_name"]).execute();
  const { rows: pageRows, token } = page(rows, q);
  return create(admin.TaskExecutionListSchema, { taskExecutions: pageRows.map(toTaskExecution), token });
}

export async function getTaskExecutionData(ctx: AdminContext, req: admin.TaskExecutionGetDataRequest): Promise<admin.TaskExecutionGetDataResponse> {
  const row = await taskRow(ctx, req.id);
  const closure = fromBinary(admin.TaskExecutionClosureSchema, row.closure);
  const inputs = await recordedInputs(ctx, row);
  let outputs: core.LiteralMap | undefined;
  let outputUri = "";
  if (closure.outputResult.case === "outputUri") {
    outputUri = closure.outputResult.value;
    outputs = await readProtoIfExists(ctx.blobs, outputUri, core.LiteralMapSchema);
  } else if (closure.outputResult.case === "outputData") outputs = closure.outputResult.value;
  return create(admin.TaskExecutionGetDataResponseSchema, {
    fullInputs: withLocalBlobPaths(inputs ?? create(core.LiteralMapSchema, {})),
    fullOutputs: withLocalBlobPaths(outputs ?? create(core.LiteralMapSchema, {})),
    inputs: await urlBlob(ctx, row.input_uri),
    outputs: outputUri ? await urlBlob(ctx, outputUri) : undefined,
  });
}
