// Turns engine phase changes into FlyteIDL events. Node ids of nested nodes follow Flyte's unique-id
// scheme (`<parent node>-<retry>-<node>`), so the control plane can tell them apart.
import { create, fromBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { core, event } from "@aloft/idl";
import { isTerminal, type AttemptRecord, type ExecutionFailure, type Phase } from "../model/action.ts";
import type { LiveAction, LiveExecution } from "../runtime/live.ts";
import { dynamicClosure } from "../nodes/dynamic.ts";
import { taskOf } from "../nodes/task.ts";
import type { CacheRecord } from "../nodes/task-cache.ts";
import { cacheStatus, catalogMetadata } from "./cache-metadata.ts";
import { callLabel } from "../nodes/call.ts";

export const PRODUCER_ID = "aloft-engine";

const NODE_PHASE: Record<Phase, core.NodeExecution_Phase> = {
  QUEUED: core.NodeExecution_Phase.QUEUED,
  RUNNING: core.NodeExecution_Phase.RUNNING,
  SUCCEEDED: core.NodeExecution_Phase.SUCCEEDED,
  FAILED: core.NodeExecution_Phase.FAILED,
  ABORTED: core.NodeExecution_Phase.ABORTED,
  SKIPPED: core.NodeExecution_Phase.SKIPPED,
  TIMED_OUT: core.NodeExecution_Phase.TIMED_OUT,
};
const WORKFLOW_PHASE: Record<Phase, core.WorkflowExecution_Phase> = {
  QUEUED: core.WorkflowExecution_Phase.QUEUED,
  RUNNING: core.WorkflowExecution_Phase.RUNNING,
  SUCCEEDED: core.WorkflowExecution_Phase.SUCCEEDED,
  FAILED: core.WorkflowExecution_Phase.FAILED,
  ABORTED: core.WorkflowExecution_Phase.ABORTED,
  SKIPPED: core.WorkflowExecution_Phase.ABORTED,
  TIMED_OUT: core.WorkflowExecution_Phase.TIMED_OUT,
};
const TASK_PHASE: Record<Phase, core.TaskExecution_Phase> = {
  QUEUED: core.TaskExecution_Phase.QUEUED,
  RUNNING: core.TaskExecution_Phase.RUNNING,
  SUCCEEDED: core.TaskExecution_Phase.SUCCEEDED,
  FAILED: core.TaskExecution_Phase.FAILED,
  ABORTED: core.TaskExecution_Phase.ABORTED,
  SKIPPED: core.TaskExecution_Phase.ABORTED,
  TIMED_OUT: core.TaskExecution_Phase.FAILED,
};

export function executionError(f: ExecutionFailure): core.ExecutionError {
  return create(core.ExecutionErrorSchema, {
    code: f.code,
    message: f.message,
    kind: f.kind === "USER" ? core.ExecutionError_ErrorKind.USER : core.ExecutionError_ErrorKind.SYSTEM,
  });
}

/** The nearest node-like ancestor (skipping workflow scopes), i.e. the node that contains `a`. */
function parentNode(a: LiveAction): LiveAction | undefined {
  let p = a.parent;
  while (p && p.rec.kind === "workflow") p = p.parent;
  return p;
}

export function uniqueNodeId(a: LiveAction): string {
  const p = parentNode(a);
  const own = a.spec.kind === "subtask" ? `${a.spec.node.id}-${a.spec.index}` : a.rec.name;
  return p ? `${uniqueNodeId(p)}-${p.rec.attempt}-${own}` : own;
}

/** Node actions produce node events; workflow scopes are described by their parent node. */
export function emitsNodeEvents(a: LiveAction): boolean {
  return a.rec.kind !== "workflow";
}

/** Outputs of a succeeded action: its outputs.pb when offloaded, else the (inline) data itself. */
function outputsOf(
  a: LiveAction | undefined,
  uri: string | null,
  inline: Uint8Array | null,
): { case: "outputUri"; value: string } | { case: "outputData"; value: core.LiteralMap } | { case: undefined } {
  if (uri) return { case: "outputUri", value: uri };
  const data = a?.outputs ?? (inline ? fromBinary(core.LiteralMapSchema, inline) : undefined);
  return data ? { case: "outputData", value: data } : { case: undefined };
}

export function workflowEvent(exec: LiveExecution, occurredAt: number): event.WorkflowExecutionEvent {
  const r = exec.rec;
  return create(event.WorkflowExecutionEventSchema, {
    executionId: exec.id,
    producerId: PRODUCER_ID,
    phase: WORKFLOW_PHASE[r.phase],
    occurredAt: timestampFromMs(occurredAt),
    outputResult: r.error
      ? { case: "error", value: executionError(r.error) }
      : r.phase === "SUCCEEDED"
        ? outputsOf(exec.root, r.outputsUri, r.outputs)
        : { case: undefined },
  });
}

/**
 * The node's inputs: inputs.pb when one was written (container tasks), else the inputs themselves
 * while the node is queued or running (terminal events carry outputs; the first event suffices).
 */
function inputsOf(a: LiveAction): Pick<event.NodeExecutionEvent, "inputValue"> | Record<string, never> {
  if (a.rec.inputsUri) return { inputValue: { case: "inputUri", value: a.rec.inputsUri } };
  if (a.inputs && !isTerminal(a.rec.phase)) return { inputValue: { case: "inputData", value: a.inputs } };
  return {};
}

/** A call or trace child is shown by what it ran (`trials/hpo.train`), its id being a hash. */
function displayName(a: LiveAction): string | undefined {
  if (a.rec.kind !== "call" && a.rec.kind !== "trace") return undefined;
  const l = callLabel(a.rec);
  return l && (l.group ? `${l.group}/${l.label}` : l.label);
}

export function nodeEvent(a: LiveAction, occurredAt: number): event.NodeExecutionEvent {
  const r = a.rec;
  const parent = parentNode(a);
  const id = create(core.NodeExecutionIdentifierSchema, { nodeId: uniqueNodeId(a), executionId: a.exec.id });
  const specNodeId = a.spec.kind === "subtask" ? a.spec.node.id : a.rec.name;
  const isArray = a.spec.kind === "node" && a.spec.node.target.case === "arrayNode";
  return create(event.NodeExecutionEventSchema, {
    id,
    producerId: PRODUCER_ID,
    phase: NODE_PHASE[r.phase],
    occurredAt: timestampFromMs(occurredAt),
    specNodeId,
    nodeName: displayName(a) ?? specNodeId,
    retryGroup: String(r.attempt),
    // flytepropeller reports an array node's items as task executions, never as a parent's children, and
    // flytekit's sync checks is_parent_node before is_array (a parent array node fails with "undeterminable").
    isParent: a.children.size > 0 && !isArray,
    isDynamic: (r.state as { dynamic?: unknown }).dynamic !== undefined,
    isArray,
    ...inputsOf(a),
    outputResult: r.error
      ? { case: "error", value: executionError(r.error) }
      : r.phase === "SUCCEEDED"
        ? outputsOf(a, r.outputsUri, r.outputs)
        : { case: undefined },
    ...(parent
      ? {
          parentNodeMetadata: { nodeId: uniqueNodeId(parent) },
        }
      : {}),
    ...taskNodeMetadata(a),
    ...launchPlanMetadata(a),
  });
}

// A launch-plan node names the execution it started. flytekit's sync of a node that is not a parent
// looks for this (the closure's workflow_node_metadata) to fetch the child execution and take its
// inputs, outputs and interface from there; without it the node has no interface and no values.
function launchPlanMetadata(a: LiveAction): Pick<event.NodeExecutionEvent, "targetMetadata"> | Record<string, never> {
  const child = (a.rec.state as { child?: string }).child;
  const s = a.spec;
  if (!child || s.kind !== "node" || s.node.target.case !== "workflowNode" || s.node.target.value.reference.case !== "launchplanRef") return {};
  const executionId = create(core.WorkflowExecutionIdentifierSchema, { project: a.exec.id.project, domain: a.exec.id.domain, name: child });
  return { targetMetadata: { case: "workflowNodeMetadata", value: create(event.WorkflowNodeMetadataSchema, { executionId }) } };
}

const isTaskNode = (a: LiveAction) => a.spec.kind === "subtask" || a.spec.kind === "call" || (a.spec.kind === "node" && a.spec.node.target.case === "taskNode");

// Every task node's event says how it used the cache (FlyteRemote, `aloft get nodes` and `aloft logs` show it).
// flytekit's sync of a dynamic node also reads the compiled dynamic workflow back from GetNodeExecutionData (it
// fails with "Node execution undeterminable" without it), which flyteadmin keeps from this event.
function taskNodeMetadata(a: LiveAction): Pick<event.NodeExecutionEvent, "targetMetadata"> | Record<string, never> {
  if (!isTaskNode(a)) return {};
  const cache = (a.rec.state as { cache?: CacheRecord }).cache;
  const catalogKey = catalogMetadata(cache);
  const value = create(event.TaskNodeMetadataSchema, { cacheStatus: cacheStatus(cache), ...(catalogKey ? { catalogKey } : {}) });
  const uri = (a.rec.state as { dynamic?: { uri: string } }).dynamic?.uri;
  const spec = a.scratch.dynamicSpec as core.DynamicJobSpec | undefined;
  if (uri && spec) {
    const compiledWorkflow = dynamicClosure(taskOf(a), spec);
    value.dynamicWorkflow = create(event.DynamicWorkflowNodeMetadataSchema, { ...(compiledWorkflow.primary?.template?.id ? { id: compiledWorkflow.primary.template.id } : {}), compiledWorkflow, dynamicJobSpecUri: uri });
  }
  return { targetMetadata: { case: "taskNodeMetadata", value } };
}

/** The name of the task log link that holds an attempt's stdout and stderr, as the engine captured them. */
export const TASK_OUTPUT_LOG = "stdout/stderr";

export function taskEvent(a: LiveAction, task: core.TaskTemplate | undefined, attempt: AttemptRecord, occurredAt: number): event.TaskExecutionEvent {
  return create(event.TaskExecutionEventSchema, {
    ...(task?.id ? { taskId: task.id } : {}),
    parentNodeExecutionId: { nodeId: uniqueNodeId(a), executionId: a.exec.id },
    retryAttempt: attempt.attempt,
    phase: TASK_PHASE[attempt.phase],
    producerId: PRODUCER_ID,
    occurredAt: timestampFromMs(occurredAt),
    taskType: task?.type ?? "",
    // The attempt's captured stdout/stderr (process tasks), a blob beside its outputs: `aloft logs` prints it.
    logs: attempt.logUri ? [{ name: TASK_OUTPUT_LOG, uri: attempt.logUri }] : [],
    outputResult: attempt.error
      ? { case: "error", value: executionError(attempt.error) }
      : attempt.phase === "SUCCEEDED"
        ? outputsOf(a, a.rec.phase === "SUCCEEDED" ? a.rec.outputsUri : null, a.rec.outputs)
        : { case: undefined },
  });
}
