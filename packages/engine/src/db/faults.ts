// Faults of the stores Aloft depends on (the database, the blob store): which errors are the store being away
// or full rather than a bug or a bad request, and what a client is told about them. Messages name the store and
// the condition, never a host path or a connection string, and carry a hint of when to retry.
import { EngineError } from "../errors.ts";

export type StoreFaultCode = "UNAVAILABLE" | "RESOURCE_EXHAUSTED";

/** A store cannot serve right now (unreachable, read-only, out of space); retrying later may succeed. */
export class StoreFaultError extends EngineError {
  declare readonly code: StoreFaultCode;
  constructor(
    code: StoreFaultCode,
    /** The store as a user knows it: "database", "blob store". */
    readonly store: string,
    /** What is wrong, without paths: "unreachable (connection refused)", "out of space". */
    readonly condition: string,
    /** How long a client should wait before retrying. */
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(code, `${store} ${condition}; retry in ${Math.ceil(retryAfterMs / 1000)} s`, options);
  }
}

export function isStoreFault(err: unknown): err is StoreFaultError {
  return err instanceof StoreFaultError;
}

// Node's errno codes when a peer is away; pg raises these from its socket.
const networkCodes: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ECONNABORTED: "connection aborted",
  EPIPE: "connection closed",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
};

// pg's own messages for a connection that ended or could not be made.
const pgConnectionMessages = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^terminating connection due to/,
];

const UNAVAILABLE_RETRY_MS = 1000;
const FULL_RETRY_MS = 5000;

/**
 * The fault `err` means for `store`, or undefined when it is not a store fault (a bug, a constraint, bad SQL).
 * A StoreFaultError is returned as it is.
 */
export function classifyFault(err: unknown, store: string): StoreFaultError | undefined {
  if (err instanceof StoreFaultError) return err;
  if (!(err instanceof Error)) return undefined;
  const make = (code: StoreFaultCode, condition: string) =>
    new StoreFaultError(code, store, condition, code === "RESOURCE_EXHAUSTED" ? FULL_RETRY_MS : UNAVAILABLE_RETRY_MS, { cause: err });
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    if (code === "ENOSPC" || code === "EDQUOT" || code === "53100") return make("RESOURCE_EXHAUSTED", "is out of space");
    if (code === "EROFS" || code === "25006") return make("UNAVAILABLE", "is read-only");
    if (code === "EIO") return make("UNAVAILABLE", "had an I/O error");
    if (code === "EMFILE" || code === "ENFILE") return make("RESOURCE_EXHAUSTED", "has too many open files");
    const network = networkCodes[code];
    if (network) return make("UNAVAILABLE", `is unreachable (${network})`);
    // SQLSTATE class 08: connection exception; 57P01-03: the server is shutting down or starting; 53300: too many
    // connections; 53200: out of memory.
    if (/^08[0-9A-Z]{3}$/.test(code)) return make("UNAVAILABLE", "is unreachable (connection failure)");
    if (code === "57P01" || code === "57P02" || code === "57P03") return make("UNAVAILABLE", "is restarting or shutting down");
    if (code === "53300") return make("UNAVAILABLE", "has no free connections");
    if (code === "53200") return make("RESOURCE_EXHAUSTED", "is out of memory");
  }
  if (pgConnectionMessages.some((re) => re.test(err.message))) return make("UNAVAILABLE", "is unreachable (connection lost)");
  // PGlite reports the host filesystem's errors inside PostgreSQL's own messages.
  if (/No space left on device/i.test(err.message)) return make("RESOURCE_EXHAUSTED", "is out of space");
  if (/Read-only file system/i.test(err.message)) return make("UNAVAILABLE", "is read-only");
  // A store's own error wrapping the filesystem's or the network's (a StorageIoError with its cause).
  if (err.cause !== undefined && err.cause !== err) {
    const f = classifyFault(err.cause, store);
    if (f) return new StoreFaultError(f.code, store, f.condition, f.retryAfterMs, { cause: err });
  }
  if (err instanceof AggregateError) {
    for (const e of err.errors) {
      const f = classifyFault(e, store);
      if (f) return f;
    }
  }
  return undefined;
}

/** Rethrows `err` as the store fault it is, or unchanged. */
export function asStoreFault(err: unknown, store: string): unknown {
  return classifyFault(err, store) ?? err;
}
