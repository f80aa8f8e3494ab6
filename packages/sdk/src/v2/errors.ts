// What a parent task sees when a child action fails: a typed error with the child's error kind and code, so
// `try { await train(...) } catch (e) { if (e instanceof ActionFailedError && e.errorCode === "OOM") ... }`.

export class ActionFailedError extends Error {
  readonly code = "ACTION_FAILED";
  constructor(
    /** The called task's name. */
    readonly task: string,
    /** The child action's key. */
    readonly action: string,
    /** FAILED, TIMED_OUT, ABORTED. */
    readonly phase: string,
    /** USER or SYSTEM, as Flyte classifies it. */
    readonly errorKind: "USER" | "SYSTEM",
    /** The child's error code, e.g. the name of the error class its task threw. */
    readonly errorCode: string,
    message: string,
  ) {
    super(`task ${task} ${phase.toLowerCase()}: ${message.split("\n")[0]}`);
    this.name = "ActionFailedError";
  }
}
