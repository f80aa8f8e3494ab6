// The contract every Flyte type transformer implements. A Schema<T> is both what the author writes
// (`t.int()`, `t.list(t.float())`) and the transformer that moves a T across the wire as a core.Literal, so the
// TypeScript type of a task's function and its FlyteIDL interface can never disagree.
import type { core } from "@aloft/idl";
import type { BlobIO } from "./blob-io.ts";
import { TypeMismatchError } from "../errors.ts";

/** What a transformer needs to move data that lives outside the literal (files, directories, datasets). */
export interface TransformContext {
  blobs: BlobIO;
  /** Where new offloaded data (uploaded files, written datasets) goes: Flyte's raw output data prefix. */
  rawOutputPrefix: string;
  /** Local scratch directory for downloads. */
  scratchDir: string;
}

export interface Schema<T> {
  /** Flyte-style transformer name; also the union variant tag flytekit writes (`int`, `str`, `list`…). */
  readonly name: string;
  /** The declared FlyteIDL type. */
  literalType(): core.LiteralType;
  /** Returns why `value` does not fit, or undefined when it does. Cheap and synchronous: used by unions and input checks. */
  check(value: unknown, path: string): string | undefined;
  toLiteral(value: T, ctx: TransformContext, path: string): Promise<core.Literal>;
  fromLiteral(literal: core.Literal, ctx: TransformContext, path: string): Promise<T>;
  /** Reads a value from JSON (CLI inputs, struct fields). Throws TypeMismatchError naming `path`. */
  fromJson(json: unknown, path: string): T;
  /** The JSON form `fromJson` reads back. */
  toJson(value: T): unknown;
  /** Reads a value from a command-line string; most types take JSON, text-like types take the raw string. */
  parse(text: string, path: string): T;
  /** Phantom member carrying T for inference; never set at run time. */
  readonly __value?: T;
}

/** The value type a schema describes. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

/** A record of named schemas: a task's or workflow's inputs or outputs. */
export type SchemaMap = Record<string, Schema<any>>;

/** Values for a schema map; inputs whose type admits null (optional) may be left out. */
export type ValuesOf<M extends SchemaMap> = {
  [K in keyof M as null extends Infer<M[K]> ? never : K]: Infer<M[K]>;
} & {
  [K in keyof M as null extends Infer<M[K]> ? K : never]?: Infer<M[K]>;
};

export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return "an array";
  if (v instanceof Date) return "a Date";
  if (v instanceof Uint8Array) return "bytes";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return `${typeof v} ${String(v)}`;
  if (typeof v === "object") {
    const ctor = (v as object).constructor?.name;
    return ctor && ctor !== "Object" ? `a ${ctor}` : "an object";
  }
  return typeof v;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Parses JSON for a command-line value, naming the input when it is not JSON. */
export function parseJsonText(text: string, path: string, expected: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new TypeMismatchError(path, `expected ${expected} as JSON, got ${JSON.stringify(text)}`);
  }
}
