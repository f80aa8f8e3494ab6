// One handler per kind of action behind one small interface, modelled on flytepropeller's node
// handlers: the executor loop knows nothing of kinds. `handle` is level-triggered: it is called
// whenever something about the action may have changed (start, a child finished, a timer fired, a
// task attempt returned, a signal arrived, a restart) and must work out what to do from the state.
import type { core } from "@aloft/idl";
import type { ActionKind, ActionRecord, ActionState, AttemptRecord, ExecutionFailure, Phase } from "../model/action.ts";
import type { TaskPlugin } from "../plugins/plugin.ts";
import type { BlobStore } from "../runtime/blob-store.ts";
import type { ActionSpec, LiveAction, LiveExecution } from "../runtime/live.ts";
import type { EngineServices } from "../runtime/services.ts";

export interface ChildOptions {
  inputs?: core.LiteralMap;
  phase?: Phase;
  state?: ActionState;
}

/** What a handler may do to its action; implemented by the executor. */
export interface ActionContext {
  readonly action: LiveAction;
  readonly execution: LiveExecution;
  readonly services: EngineServices;
  readonly blobs: BlobStore;
  now(): number;
  /** Context of the nearest enclosing workflow action (where node bindings resolve). */
  workflowContext(): ActionContext;
  /** The action's inputs, re-derived from its parent after a restart. */
  inputs(): Promise<core.LiteralMap>;
  /** Outputs of a finished action (loaded from the blob store after a restart). */
  outputsOf(action: LiveAction): Promise<core.LiteralMap>;
  setPhase(phase: Phase): void;
  setState(state: ActionState): void;
  /**
   * Marks the action SUCCEEDED. Small outputs are kept in the record, large ones written to
   * outputs.pb, unless `outputsUri` says where they already are. `encoded` is `outputs` in binary
   * form when the caller has it (saves encoding again).
   */
  succeed(outputs: core.LiteralMap, outputsUri?: string, encoded?: Uint8Array): Promise<void>;
  /** Marks the action failed (FAILED by default, or TIMED_OUT / ABORTED). */
  fail(error: ExecutionFailure, phase?: Phase): void;
  skip(): void;
  /** Creates the child `name` or returns the existing one (a parent re-run re-attaches). */
  ensureChild(name: string, kind: ActionKind, spec: ActionSpec, options?: ChildOptions): LiveAction;
  /** Aborts a child subtree (running task attempts are cancelled). */
  abortChild(child: LiveAction, reason: string): Promise<void>;
  /** Calls `handle` again at (or soon after) the given epoch milliseconds. */
  wakeAt(time: number): void;
  /** Calls `handle` again in a later round. */
  wakeLater(): void;
  /** Takes a slot of the execution's max parallelism; false means "wait, you will be woken". */
  acquireSlot(): boolean;
  releaseSlot(): void;
  recordAttempt(attempt: AttemptRecord): void;
  /** The prefix under which this action's payloads (inputs.pb, outputs.pb, futures.pb) live. */
  dataPrefix(): string;
  pluginFor(task: core.TaskTemplate): TaskPlugin;
}

export interface NodeHandler {
  handle(ctx: ActionContext): Promise<void>;
  /** Stops the action's work (children, running attempts); the executor sets the ABORTED phase. */
  abort(ctx: ActionContext, reason: string): Promise<void>;
  /** Releases resources once the action is terminal. */
  finalize?(ctx: ActionContext): Promise<void>;
  /** Rebuilds a child's spec after a restart. */
  childSpec?(ctx: ActionContext, child: ActionRecord): Promise<ActionSpec>;
  /** Re-derives a child's inputs after a restart. */
  childInputs?(ctx: ActionContext, child: LiveAction): Promise<core.LiteralMap>;
}
