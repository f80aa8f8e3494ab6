// The context a running Flyte 2 task's calls go through: the engine's child actions of the current attempt, how
// to turn a task into the template the engine runs, and the group the calls are made in. Held in an
// AsyncLocalStorage, so every `await child(...)` in the task (and in the functions it calls) finds it.
import { AsyncLocalStorage } from "node:async_hooks";
import type { core } from "@aloft/idl";
import type { ChildActions } from "@aloft/engine";
import type { TaskEntity } from "../task-entity.ts";
import type { TransformContext } from "../types/schema.ts";

/** What the runner that runs a task attempt offers for calls (the in-process plugin; a worker later). */
export interface CallEnv {
  /** The engine's child actions of this attempt (made on first use). */
  actions(): ChildActions;
  /** The template the engine runs for a task, with the identity the run gives it. */
  templateOf(task: TaskEntity): Promise<core.TaskTemplate>;
}

export interface RunContext {
  env: CallEnv;
  convert: TransformContext;
  /** Path of nested groups, e.g. "train/fold-1". */
  group: string | undefined;
}

export const runContext = new AsyncLocalStorage<RunContext>();

/** Where run-task puts the call environment on the TaskContext (not part of the public TaskContext). */
export const CALL_ENV = Symbol.for("aloft.v2.callEnv");

export interface TaskContextCalls {
  [CALL_ENV]?: { env: CallEnv; convert: TransformContext };
}

export function currentRun(what: string): RunContext {
  const rc = runContext.getStore();
  if (!rc) {
    throw new CallOutsideTaskError(
      `${what} was called outside a running task: Flyte 2 tasks call each other inside a task (run the outer one with \`aloft run\` or runTaskTree), or add a node inside a workflow`,
    );
  }
  return rc;
}

/** A Flyte 2 call made where there is no running task to make it a child action of. */
export class CallOutsideTaskError extends Error {
  readonly code = "CALL_OUTSIDE_TASK";
  constructor(message: string) {
    super(message);
    this.name = "CallOutsideTaskError";
  }
}
