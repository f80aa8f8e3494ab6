// The one mapping from error codes to gRPC/Connect codes and HTTP statuses. The HTTP statuses are the ones
// grpc-gateway uses, so REST clients of flyteadmin see the same numbers from Aloft.
import { Code, ConnectError } from "@connectrpc/connect";
import { AdminError, type AdminErrorCode } from "./errors.ts";

const grpcCodes: Record<AdminErrorCode, Code> = {
  INVALID_ARGUMENT: Code.InvalidArgument,
  NOT_FOUND: Code.NotFound,
  ALREADY_EXISTS: Code.AlreadyExists,
  FAILED_PRECONDITION: Code.FailedPrecondition,
  RESOURCE_EXHAUSTED: Code.ResourceExhausted,
  UNIMPLEMENTED: Code.Unimplemented,
  UNAVAILABLE: Code.Unavailable,
  INTERNAL: Code.Internal,
  ABORTED: Code.Aborted,
};

const httpStatuses: Record<Code, number> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

export function grpcCodeOf(code: AdminErrorCode): Code {
  return grpcCodes[code];
}

export function httpStatusOf(code: Code): number {
  return httpStatuses[code] ?? 500;
}

// Codes other packages use that are not gRPC names: what each means to a client.
const aliases: Record<string, AdminErrorCode> = {
  INVALID_URI: "INVALID_ARGUMENT",
  MALFORMED_CONTENT: "INVALID_ARGUMENT",
  INVALID_SIGNATURE: "INVALID_ARGUMENT",
  UNSUPPORTED_OPERATION: "UNIMPLEMENTED",
  DATA_DIR_LOCKED: "UNAVAILABLE",
};

/** Errors from other packages may carry one of our code names; anything else is an internal error. */
function codeOf(e: unknown): AdminErrorCode | undefined {
  if (e instanceof AdminError) return e.code;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return undefined;
  return code in grpcCodes ? (code as AdminErrorCode) : aliases[code];
}

/**
 * The retry hint of a store fault (the database unreachable, a disk full): `retry-after` in seconds, read by HTTP
 * clients as the standard header (with 503/429) and sent to gRPC clients as metadata, and gRPC's own
 * `grpc-retry-pushback-ms`, which a gRPC client with a retry policy honours.
 */
function retryHeaders(e: unknown): Headers | undefined {
  const ms = (e as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  if (typeof ms !== "number" || !(ms > 0)) return undefined;
  return new Headers({ "retry-after": String(Math.max(1, Math.ceil(ms / 1000))), "grpc-retry-pushback-ms": String(Math.ceil(ms)) });
}

/** Turns anything a handler threw into the ConnectError every transport (gRPC, Connect, REST) reports. */
export function toConnectError(e: unknown): ConnectError {
  if (e instanceof ConnectError) return e;
  const code = codeOf(e);
  const message = e instanceof Error ? e.message : String(e);
  if (code === undefined) return new ConnectError(`internal error: ${message}`, Code.Internal, undefined, undefined, e);
  const details = e instanceof AdminError && e.details.length > 0 ? `\n${e.details.join("\n")}` : "";
  return new ConnectError(message + details, grpcCodes[code], retryHeaders(e), undefined, e);
}
