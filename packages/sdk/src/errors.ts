// Errors the SDK raises at its boundaries. Each has a stable `code` so the CLI and the task runtime can map them to
// exit codes and Flyte error kinds without matching on messages.

/** A value that does not fit its declared type (wrong JS type, missing struct field, unknown enum value…). */
export class TypeMismatchError extends Error {
  readonly code = "TYPE_MISMATCH";
  /** Where the value sits, e.g. `input xs[2].name`. */
  readonly path: string;
  constructor(path: string, reason: string) {
    super(path ? `${path}: ${reason}` : reason);
    this.name = "TypeMismatchError";
    this.path = path;
  }
}

/** A task, workflow or launch plan declared in a way Flyte cannot express (bad option, bad name, bad wiring). */
export class DefinitionError extends Error {
  readonly code = "INVALID_DEFINITION";
  constructor(message: string) {
    super(message);
    this.name = "DefinitionError";
  }
}

/** A task, workflow or launch plan that cannot be turned into FlyteIDL (e.g. not exported, compiler rejected it). */
export class SerializationError extends Error {
  readonly code = "SERIALIZATION_FAILED";
  constructor(message: string) {
    super(message);
    this.name = "SerializationError";
  }
}

/** Raised inside a task to fail it on purpose with a user error; the runtime reports it as a USER error. */
export class TaskFailure extends Error {
  readonly code: string;
  constructor(message: string, code = "USER_FAILURE") {
    super(message);
    this.name = "TaskFailure";
    this.code = code;
  }
}

/**
 * Throw from a task to ask for a retry (within the task's `retries`). As in Flyte, any other error fails the task
 * at once: retrying code that threw a TypeError only repeats the failure.
 */
export class RecoverableError extends Error {
  readonly code: string;
  constructor(message: string, code = "RECOVERABLE") {
    super(message);
    this.name = "RecoverableError";
    this.code = code;
  }
}
