// The task plugin seam: how a task attempt actually runs (in-process for local runs, a warm worker
// thread pool for TypeScript tasks, a local process for container tasks, Kubernetes later).
import type { core } from "@aloft/idl";
import type { BlobStore } from "../runtime/blob-store.ts";

export interface TaskLogSink {
  write(stream: "stdout" | "stderr", text: string): void;
}

export interface TaskExecutionContext {
  readonly task: core.TaskTemplate;
  readonly executionId: core.WorkflowExecutionIdentifier;
  /** Durable action key of the task (unique within the engine). */
  readonly actionKey: string;
  readonly nodeId: string;
  /** Retry attempt, 0-based. */
  readonly attempt: number;
  readonly inputs: core.LiteralMap;
  /** Where inputs.pb lives once written; plugins that pass inputs in memory only name it. */
  readonly inputsPath: string;
  /** Writes inputs.pb on first call and returns `inputsPath` (for plugins handing a URI to a process). */
  inputsUri(): Promise<string>;
  /** Prefix for outputs.pb / error.pb / futures.pb of this attempt. */
  readonly outputPrefix: string;
  readonly rawOutputPrefix: string;
  readonly checkpointPrefix: string;
  readonly prevCheckpointPrefix: string;
  readonly interruptible: boolean;
  readonly signal: AbortSignal;
  /** Calls `fn` once if the attempt is aborted: a lighter alternative to listening on `signal`. */
  onAbort?(fn: (reason: unknown) => void): void;
  readonly log: TaskLogSink;
  readonly blobStore: BlobStore;
  /** Environment the engine adds for the task (Flyte's FLYTE_INTERNAL_* variables). */
  readonly environment: Readonly<Record<string, string>>;
  /** Child actions of this attempt: tasks the running task calls (Flyte 2), and checkpointed function results. */
  readonly actions?: ChildActions;
}

/** A task called by a running task: one durable child action. */
export interface ChildCall {
  task: core.TaskTemplate;
  inputs: core.LiteralMap;
  /** The group (Flyte 2's `flyte.group`) the call was made in: part of the child's identity, shown in the tree. */
  group?: string;
  /** The call's sequence number, from `sequence` at the moment of the call (default: taken now). */
  seq?: number;
}

export type ChildOutcome =
  | { phase: "SUCCEEDED"; outputs: core.LiteralMap; action: string }
  | { phase: "FAILED" | "ABORTED" | "TIMED_OUT" | "SKIPPED"; error: { kind: "USER" | "SYSTEM"; code: string; message: string }; action: string };

/**
 * Calls made by a running task attempt. Each call gets a deterministic action name (parent action, task identity,
 * inputs hash, call sequence within the parent and group), so a re-run of the attempt re-attaches to the children
 * it already started or finished instead of running them again.
 */
export interface ChildActions {
  /**
   * Takes the next sequence number of calls of `key` (a task or function name) in `group`. A caller that does
   * asynchronous work before `call` takes it first, so calls are numbered in the order the code made them.
   */
  sequence(key: string, group?: string): number;
  /** Starts the child (or re-attaches to it) and resolves when it has finished. */
  call(call: ChildCall): Promise<ChildOutcome>;
  /**
   * A checkpointed function (Flyte 2's `flyte.trace`): the result recorded under this name, inputs and sequence,
   * or `compute`'s result, recorded for the next run. A failure is not recorded.
   */
  trace(name: string, inputs: core.LiteralMap, compute: () => Promise<core.LiteralMap>, group?: string, seq?: number): Promise<core.LiteralMap>;
}

export interface TaskFailure {
  kind: "USER" | "SYSTEM";
  code: string;
  message: string;
  /** A non-recoverable failure is never retried. */
  recoverable: boolean;
}

export type TaskResult =
  /** `encoded`: the outputs in binary form when the plugin has them (the engine stores them as they are). */
  | { kind: "success"; outputs: core.LiteralMap; encoded?: Uint8Array }
  /** A dynamic task returned the workflow to run next (Flyte's futures.pb). */
  | { kind: "dynamic"; spec: core.DynamicJobSpec }
  | { kind: "failure"; error: TaskFailure };

export interface TaskPlugin {
  readonly name: string;
  canHandle(task: core.TaskTemplate): boolean;
  execute(ctx: TaskExecutionContext): Promise<TaskResult>;
  close?(): Promise<void>;
}
