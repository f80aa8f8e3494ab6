// Errors the control plane raises. Each carries a `code` named after the gRPC status it maps to; status.ts is the
// one place that turns codes into gRPC/Connect codes and HTTP statuses.

export type AdminErrorCode =
  | "INVALID_ARGUMENT"
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "FAILED_PRECONDITION"
  | "RESOURCE_EXHAUSTED"
  | "UNIMPLEMENTED"
  | "UNAVAILABLE"
  | "INTERNAL"
  | "ABORTED";

export class AdminError extends Error {
  readonly code: AdminErrorCode;
  /** Extra human-readable lines (for example each compiler error), sent as error details. */
  readonly details: string[];
  constructor(code: AdminErrorCode, message: string, details: string[] = []) {
    super(message);
    this.name = "AdminError";
    this.code = code;
    this.details = details;
  }
}

export class InvalidArgumentError extends AdminError {
  constructor(message: string, details: string[] = []) {
    super("INVALID_ARGUMENT", message, details);
    this.name = "InvalidArgumentError";
  }
}

/** A required field is absent or empty; the message names the field as the request spells it. */
export class MissingFieldError extends InvalidArgumentError {
  constructor(field: string) {
    super(`missing ${field}`);
    this.name = "MissingFieldError";
  }
}

export class NotFoundError extends AdminError {
  constructor(message: string) {
    super("NOT_FOUND", message);
    this.name = "NotFoundError";
  }
}

export class AlreadyExistsError extends AdminError {
  constructor(message: string) {
    super("ALREADY_EXISTS", message);
    this.name = "AlreadyExistsError";
  }
}

export class FailedPreconditionError extends AdminError {
  constructor(message: string) {
    super("FAILED_PRECONDITION", message);
    this.name = "FailedPreconditionError";
  }
}

export class UnimplementedError extends AdminError {
  constructor(message: string) {
    super("UNIMPLEMENTED", message);
    this.name = "UnimplementedError";
  }
}

export class ResourceExhaustedError extends AdminError {
  constructor(message: string) {
    super("RESOURCE_EXHAUSTED", message);
    this.name = "ResourceExhaustedError";
  }
}
