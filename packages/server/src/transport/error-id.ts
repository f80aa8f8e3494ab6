// An internal error is a server fault the client cannot fix: it is logged with an id, and the client is given
// the same id (in the message and the x-aloft-error-id header) to quote when reporting it.
import { randomBytes } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";

export const ERROR_ID_HEADER = "x-aloft-error-id";

export function errorId(): string {
  return randomBytes(6).toString("hex");
}

/** Logs an INTERNAL error with a fresh id and returns it carrying the id; other codes pass unchanged. */
export function withErrorId(err: ConnectError, log: Logger | undefined, what: string): ConnectError {
  if (err.code !== Code.Internal) return err;
  const id = errorId();
  log?.error({ err: err.cause ?? err, errorId: id }, `${what}: ${err.rawMessage}`);
  const out = new ConnectError(`${err.rawMessage} (error id ${id})`, Code.Internal, err.metadata, undefined, err.cause);
  out.metadata.set(ERROR_ID_HEADER, id);
  return out;
}
