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
