import type { CompileError } from "./errors.ts";

/** What every compiler entry point returns: a value, or the complete (non-empty) list of errors found. */
export type Result<T> = { ok: true; value: T } | { ok: false; errors: CompileError[] };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function failed<T>(errors: CompileError[]): Result<T> {
  return { ok: false, errors };
}
