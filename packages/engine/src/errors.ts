// Errors raised by @aloft/engine. Each carries a stable `code` so callers (the server, the CLI)
// can map them to statuses in one place instead of matching on messages.

export class EngineError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Another live process owns the data directory (PGlite allows one process per directory). */
export class DataDirLockedError extends EngineError {
  constructor(readonly dataDir: string, readonly ownerPid: number) {
    super("DATA_DIR_LOCKED", `data directory ${dataDir} is in use by live process ${ownerPid}`);
  }
}

/** A migration list is malformed (duplicate or unordered versions) or a migration failed. */
export class MigrationError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("MIGRATION_FAILED", message, options);
  }
}

/** Input given to the engine is invalid; the message names the field and why. */
export class InvalidArgumentError extends EngineError {
  constructor(readonly field: string, reason: string) {
    super("INVALID_ARGUMENT", `${field}: ${reason}`);
  }
}

export class NotFoundError extends EngineError {
  constructor(what: string) {
    super("NOT_FOUND", `${what} not found`);
  }
}

/** The closure or a node uses something the engine does not support; never guessed around. */
export class UnsupportedError extends EngineError {
  constructor(field: string, reason: string) {
    super("UNSUPPORTED", `${field}: ${reason}`);
  }
}

/** Creating an execution whose id exists with a different closure or inputs. */
export class AlreadyExistsError extends EngineError {
  constructor(what: string) {
    super("ALREADY_EXISTS", `${what} already exists with different content`);
  }
}
