// Transformers for types whose values need no blob I/O. The literal conversion itself is @aloft/idl's shared
// `toLiteral`/`fromLiteral` (one conversion for SDK, engine and server); a plain schema adds the value check, the
// JSON form and command-line parsing.
import { core, fromLiteral, toLiteral, LiteralValueError } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import type { Schema } from "./schema.ts";

export interface PlainSpec<T> {
  name: string;
  literalType: () => core.LiteralType;
  check: (value: unknown, path: string) => string | undefined;
  fromJson: (json: unknown, path: string) => T;
  toJson: (value: T) => unknown;
  parse: (text: string, path: string) => T;
}

/** Runs a shared-conversion call, turning its errors into the SDK's TypeMismatchError. */
export function converting<R>(path: string, f: () => R): R {
  try {
    return f();
  } catch (e) {
    if (e instanceof LiteralValueError) throw new TypeMismatchError(path, e.message.startsWith(path + ": ") ? e.message.slice(path.length + 2) : e.message);
    throw e;
  }
}

export function plainSchema<T>(spec: PlainSpec<T>): Schema<T> {
  const type = spec.literalType();
  return {
    name: spec.name,
    literalType: spec.literalType,
    check: spec.check,
    async toLiteral(value: T, _ctx, path) {
      const why = spec.check(value, path);
      if (why !== undefined) throw new TypeMismatchError(path, why);
      return converting(path, () => toLiteral(value, type, path));
    },
    async fromLiteral(literal, _ctx, path) {
      return converting(path, () => fromLiteral(literal, type, {}, path) as T);
    },
    fromJson: spec.fromJson,
    toJson: spec.toJson,
    parse: spec.parse,
  };
}

/** A `check` result → a thrown error, for `fromJson` implementations that share the check. */
export function checked<T>(value: unknown, path: string, check: (v: unknown, p: string) => string | undefined): T {
  const why = check(value, path);
  if (why !== undefined) throw new TypeMismatchError(path, why);
  return value as T;
}
