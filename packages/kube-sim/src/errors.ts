// Kubernetes' own error shape (a metav1.Status with a reason and an HTTP code), which clients parse.
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: { name?: string; group?: string; kind?: string; causes?: { reason: string; message: string; field: string }[] },
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: this.message, reason: this.reason, ...(this.details ? { details: this.details } : {}), code: this.code };
  }
}

export const notFound = (kind: string, group: string, name: string) =>
  new ApiError(404, "NotFound", `${kind.toLowerCase()}s${group ? `.${group}` : ""} "${name}" not found`, { name, group, kind: `${kind.toLowerCase()}s` });
export const alreadyExists = (kind: string, group: string, name: string) =>
  new ApiError(409, "AlreadyExists", `${kind.toLowerCase()}s${group ? `.${group}` : ""} "${name}" already exists`, { name, group, kind: `${kind.toLowerCase()}s` });
export const conflict = (kind: string, group: string, name: string) =>
  new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${kind.toLowerCase()}s${group ? `.${group}` : ""} "${name}": the object has been modified; please apply your changes to the latest version and try again`, {
    name,
    group,
    kind: `${kind.toLowerCase()}s`,
  });
export const badRequest = (message: string) => new ApiError(400, "BadRequest", message);
export const gone = (message: string) => new ApiError(410, "Expired", message);
