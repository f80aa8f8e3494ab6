// The durable action: one unit of work (a workflow scope, a node, an array subtask, a child
// workflow, a dynamic sub-node) identified by a deterministic key under its parent. Creating an
// action whose key exists returns the existing one, so a parent re-run after a crash re-attaches to
// the children it already started. Tasks calling tasks at run time (Flyte 2) create children the
// same way, keyed by call name.

export type Phase =
  | "QUEUED"
  | "RUNNING"
  | "SUCCEEDED"
  | "FAILED"
  | "ABORTED"
  | "SKIPPED"
  | "TIMED_OUT";

export const TERMINAL_PHASES: ReadonlySet<Phase> = new Set(["SUCCEEDED", "FAILED", "ABORTED", "SKIPPED", "TIMED_OUT"]);
export const isTerminal = (p: Phase): boolean => TERMINAL_PHASES.has(p);

/**
 * - `workflow`: a DAG scope (root execution, sub-workflow, dynamic workflow); its children are nodes.
 * - `node`: a node of a scope; the node handler is chosen by the node's target.
 * - `subtask`: one item of an array node.
 * - `call`: a task a running task called (Flyte 2's child action); `trace`: a checkpointed function's result.
 */
export type ActionKind = "workflow" | "node" | "subtask" | "call" | "trace";

export type ErrorKind = "USER" | "SYSTEM";

export interface ExecutionFailure {
  kind: ErrorKind;
  code: string;
  message: string;
  /** Node id (or action key suffix) where the failure originated. */
  failedNodeId?: string;
}

/** JSON-serialisable handler state (small; payloads go to the blob store). */
export type ActionState = Record<string, unknown>;

export interface ActionRecord {
  key: string;
  /** Key of the root execution this action belongs to. */
  execution: string;
  parent: string | null;
  kind: ActionKind;
  /** Name under the parent: node id, subtask index, call name. */
  name: string;
  phase: Phase;
  /** Current task attempt (0-based); counts user-visible retries. */
  attempt: number;
  /** Retries spent on system errors (a separate budget from the task's user retries). */
  systemFailures: number;
  state: ActionState;
  inputsUri: string | null;
  outputsUri: string | null;
  /** Binary `core.LiteralMap` of small outputs kept in the record itself (then `outputsUri` is null). */
  outputs: Uint8Array | null;
  error: ExecutionFailure | null;
  startedAt: number | null;
  updatedAt: number;
}

/** One task attempt, recorded when it starts and again when it ends (at-least-once). */
export interface AttemptRecord {
  execution: string;
  action: string;
  attempt: number;
  phase: Phase;
  error: ExecutionFailure | null;
  startedAt: number;
  endedAt: number | null;
  /** Where the attempt's stdout/stderr were captured, when the plugin captured them. */
  logUri: string | null;
  cacheStatus: string | null;
}

export interface ExecutionRecord {
  key: string;
  project: string;
  domain: string;
  name: string;
  /** Binary `core.CompiledWorkflowClosure` (empty in the memory store, which keeps the object). */
  closure: Uint8Array;
  /** Where the execution's inputs (binary `core.LiteralMap`) are stored; empty when they are kept inline in `inputs`. */
  inputsUri: string;
  /** Binary `core.LiteralMap` of small execution inputs kept in the record (then `inputsUri` is empty). */
  inputs: Uint8Array | null;
  phase: Phase;
  outputsUri: string | null;
  /** Binary `core.LiteralMap` of small workflow outputs kept in the record (then `outputsUri` is null). */
  outputs: Uint8Array | null;
  error: ExecutionFailure | null;
  options: ExecutionOptionsRecord;
  /** Set when this execution was launched by a launch-plan node of another execution. */
  parentAction: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ExecutionOptionsRecord {
  maxParallelism?: number;
  /** Whole-execution deadline, epoch milliseconds. */
  deadline?: number;
  overwriteCache?: boolean;
  interruptible?: boolean;
  rawOutputPrefix?: string;
  failurePolicy?: "FAIL_IMMEDIATELY" | "FAIL_AFTER_EXECUTABLE_NODES_COMPLETE";
  abortReason?: string;
}

export interface SignalRecord {
  execution: string;
  signalId: string;
  /** Binary `core.Literal`. */
  value: Uint8Array;
}

export function childKey(parentKey: string, name: string): string {
  return `${parentKey}/${name}`;
}

export function executionKey(id: { project: string; domain: string; name: string }): string {
  return `${id.project}/${id.domain}/${id.name}`;
}
