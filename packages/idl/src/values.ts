// Literal ⇄ plain JS value conversion, guided by a LiteralType. This is the one conversion the SDK, CLI, engine and
// server share, so every policy choice is written down here:
//
//   integer   → number when |n| ≤ 2^53−1, otherwise an error (or always bigint with `{ int64: "bigint" }`);
//               number or bigint accepted going in
//   float     → number
//   datetime  → Date (millisecond precision; sub-millisecond nanos are dropped)
//   duration  → milliseconds as a number (fractional for sub-millisecond parts)
//   binary    → Uint8Array
//   none      → null (undefined accepted going in)
//   struct    → plain JSON object (google.protobuf.Struct going out; flytekit's msgpack Binary also read)
//   blob      → { uri, format, dimensionality }  (a bare URI string accepted going in)
//   structured dataset → { uri, format }      (a bare URI string accepted going in)
//   schema    → { uri }                          (a bare URI string accepted going in)
//   enum      → string, one of the declared values
//   error     → { message, failedNodeId }
//   collection → array; map → Record<string, …>
//   union     → the plain value of whichever variant it holds; going in, the first variant the value fits wins
//               (flytekit's order) and its type is stored in the literal
import { equals, isMessage, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import * as core from "../gen/flyteidl_core.js";
import {
  LiteralValueError,
  decodeMsgpack,
  describeLiteral,
  durationToMilliseconds,
  lit,
  literalMap,
  toInt64,
} from "./literals.ts";
import { formatLiteralType, type BlobDimensionality } from "./types.ts";

export interface BlobValue {
  uri: string;
  format: string;
  dimensionality: BlobDimensionality;
}

export interface StructuredDatasetValue {
  uri: string;
  format: string;
}

export interface ErrorValue {
  message: string;
  failedNodeId: string;
}

export interface FromLiteralOptions {
  /** "number" (default): integers become numbers and unsafe ones are an error. "bigint": always bigint. */
  int64?: "number" | "bigint";
}

const S = core.SimpleType;

/** Converts a plain JS value to a literal of the given type. Errors name the path, e.g. `x[3].name`. */
export function toLiteral(value: unknown, type: core.LiteralType, path = ""): core.Literal {
  const t = type.type;
  const fail = (): never => {
    throw new LiteralValueError(path, `expected ${formatLiteralType(type)}, got ${describeValue(value)}`);
  };
  switch (t.case) {
    case "simple":
      return simpleToLiteral(value, t.value, path, fail);
    case "enumType":
      if (typeof value !== "string") return fail();
      if (!t.value.values.includes(value)) {
        throw new LiteralValueError(path, `"${value}" is not one of the enum values [${t.value.values.join(", ")}]`);
      }
      return lit.string(value);
    case "collectionType": {
      if (!Array.isArray(value)) return fail();
      const items = value.map((item, i) => toLiteral(item, t.value, `${path}[${i}]`));
      return lit.collection(items);
    }
    case "mapValueType": {
      if (!isPlainObject(value)) return fail();
      const entries: Record<string, core.Literal> = {};
      for (const [k, v] of Object.entries(value)) entries[k] = toLiteral(v, t.value, joinKey(path, k));
      return lit.map(entries);
    }
    case "blob": {
      const ref = uriRef(value);
      if (!ref) return fail();
      const dimensionality = t.value.dimensionality === core.BlobType_BlobDimensionality.MULTIPART ? "multipart" : "single";
      // The type decides, as in flytekit; a value may only fill in a format the type leaves open ("").
      const given = typeof ref.format === "string" ? ref.format : "";
      if (given !== "" && t.value.format !== "" && given !== t.value.format) {
        throw new LiteralValueError(joinKey(path, "format"), `blob format "${given}" does not match the type's "${t.value.format}"`);
      }
      if (ref.dimensionality !== undefined && ref.dimensionality !== dimensionality) {
        throw new LiteralValueError(joinKey(path, "dimensionality"), `expected ${dimensionality}, got ${describeValue(ref.dimensionality)}`);
      }
      return lit.blob(ref.uri, { format: t.value.format || given, dimensionality });
    }
    case "structuredDatasetType": {
      const ref = uriRef(value);
      if (!ref) return fail();
      const format = typeof ref.format === "string" && ref.format !== "" ? ref.format : t.value.format;
      return lit.structuredDataset(ref.uri, { type: t.value, format });
    }
    case "schema": {
      const ref = uriRef(value);
      if (!ref) return fail();
      return lit.schema(ref.uri, t.value);
    }
    case "unionType":
      return unionToLiteral(value, type, t.value, path);
    case undefined:
      throw new LiteralValueError(path, "the LiteralType has no kind set (type.type is empty)");
  }
}

function simpleToLiteral(value: unknown, simple: core.SimpleType, path: string, fail: () => never): core.Literal {
  switch (simple) {
    case S.NONE:
      if (value !== null && value !== undefined) return fail();
      return lit.none();
    case S.INTEGER:
      if (typeof value !== "number" && typeof value !== "bigint") return fail();
      return lit.integer(toInt64(value, path));
    case S.FLOAT:
      if (typeof value !== "number") return fail();
      return lit.float(value);
    case S.STRING:
      if (typeof value !== "string") return fail();
      return lit.string(value);
    case S.BOOLEAN:
      if (typeof value !== "boolean") return fail();
      return lit.boolean(value);
    case S.DATETIME:
      if (!(value instanceof Date)) return fail();
      if (Number.isNaN(value.getTime())) throw new LiteralValueError(path, "expected datetime, got an invalid Date");
      return lit.datetime(value);
    case S.DURATION:
      if (typeof value !== "number" || !Number.isFinite(value)) return fail();
      return lit.duration(value);
    case S.BINARY:
      if (!(value instanceof Uint8Array)) return fail();
      return lit.binary(value);
    case S.ERROR: {
      if (!isPlainObject(value) || typeof value["message"] !== "string") return fail();
      const node = value["failedNodeId"];
      if (node !== undefined && typeof node !== "string") {
        throw new LiteralValueError(joinKey(path, "failedNodeId"), `expected string, got ${describeValue(node)}`);
      }
      return lit.error(value["message"], node ?? "");
    }
    case S.STRUCT:
      if (!isPlainObject(value)) return fail();
      return lit.struct(toJsonObject(value, path));
    default:
      throw new LiteralValueError(path, `unknown simple type ${String(simple)}`);
  }
}

function unionToLiteral(value: unknown, type: core.LiteralType, union: core.UnionType, path: string): core.Literal {
  for (const variant of union.variants) {
    let inner: core.Literal;
    try {
      inner = toLiteral(value, variant, path);
    } catch (e) {
      if (e instanceof LiteralValueError) continue;
      throw e;
    }
    return lit.union(inner, variant);
  }
  throw new LiteralValueError(path, `expected ${formatLiteralType(type)}, got ${describeValue(value)}`);
}

/** Converts a literal to a plain JS value, checking it against the expected type. */
export function fromLiteral(literal: core.Literal, type: core.LiteralType, options: FromLiteralOptions = {}, path = ""): unknown {
  const t = type.type;
  const fail = (): never => {
    throw new LiteralValueError(path, `expected ${formatLiteralType(type)}, got ${describeLiteral(literal)}`);
  };
  if (literal.value.case === "offloadedMetadata") {
    throw new LiteralValueError(path, `literal is offloaded to ${literal.value.value.uri}; load it (loadOffloaded) before converting`);
  }
  const sv = literal.value.case === "scalar" ? literal.value.value.value : undefined;
  if (sv?.case === "union") {
    const inner = sv.value.value;
    if (!inner) throw new LiteralValueError(path, "union literal has no value");
    // Reading a union into a plain type (Flyte narrowing an Optional): the value must fit that type itself.
    if (t.case !== "unionType") return fromLiteral(inner, type, options, path);
    return unionFromLiteral(inner, sv.value.type, type, t.value, options, path);
  }
  switch (t.case) {
    case "simple":
      return simpleFromLiteral(literal, t.value, options, path, fail);
    case "enumType": {
      if (sv?.case !== "primitive" || sv.value.value.case !== "stringValue") return fail();
      const s = sv.value.value.value;
      if (!t.value.values.includes(s)) {
        throw new LiteralValueError(path, `"${s}" is not one of the enum values [${t.value.values.join(", ")}]`);
      }
      return s;
    }
    case "collectionType": {
      if (literal.value.case !== "collection") return fail();
      const elem = t.value;
      return literal.value.value.literals.map((l, i) => fromLiteral(l, elem, options, `${path}[${i}]`));
    }
    case "mapValueType": {
      if (literal.value.case !== "map") return fail();
      const out: Record<string, unknown> = {};
      for (const [k, l] of Object.entries(literal.value.value.literals)) {
        out[k] = fromLiteral(l, t.value, options, joinKey(path, k));
      }
      return out;
    }
    case "blob": {
      if (sv?.case !== "blob") return fail();
      const bt = sv.value.metadata?.type;
      const dimensionality: BlobDimensionality =
        (bt?.dimensionality ?? t.value.dimensionality) === core.BlobType_BlobDimensionality.MULTIPART ? "multipart" : "single";
      const blob: BlobValue = { uri: sv.value.uri, format: bt?.format || t.value.format, dimensionality };
      return blob;
    }
    case "structuredDatasetType": {
      if (sv?.case !== "structuredDataset") return fail();
      const format = sv.value.metadata?.structuredDatasetType?.format || t.value.format;
      const sd: StructuredDatasetValue = { uri: sv.value.uri, format };
      return sd;
    }
    case "schema":
      if (sv?.case !== "schema") return fail();
      return { uri: sv.value.uri };
    case "unionType": {
      // A bare (non-union) literal bound to a union type: take the first variant that can read it.
      for (const variant of t.value.variants) {
        try {
          return fromLiteral(literal, variant, options, path);
        } catch (e) {
          if (!(e instanceof LiteralValueError)) throw e;
        }
      }
      return fail();
    }
    case undefined:
      throw new LiteralValueError(path, "the LiteralType has no kind set (type.type is empty)");
  }
}

/**
 * Picks the variant a union literal was written with, as flytekit does: by the stored type's structure tag when it
 * has one, otherwise the first variant that can read the value (variants equal to the stored type first).
 */
function unionFromLiteral(
  inner: core.Literal,
  stored: core.LiteralType | undefined,
  type: core.LiteralType,
  union: core.UnionType,
  options: FromLiteralOptions,
  path: string,
): unknown {
  const tag = stored?.structure?.tag ?? "";
  let candidates = union.variants;
  if (tag !== "") {
    candidates = union.variants.filter((v) => v.structure?.tag === tag);
  } else if (stored) {
    const same = union.variants.filter((v) => equals(core.LiteralTypeSchema, v, stored));
    candidates = [...same, ...union.variants.filter((v) => !same.includes(v))];
  }
  for (const variant of candidates) {
    try {
      return fromLiteral(inner, variant, options, path);
    } catch (e) {
      if (!(e instanceof LiteralValueError)) throw e;
    }
  }
  const storedName = stored ? formatLiteralType(stored) : "no stored type";
  throw new LiteralValueError(
    path,
    `expected ${formatLiteralType(type)}, got union literal (${storedName}) ${describeLiteral(inner)}${tag ? ` tagged "${tag}"` : ""}`,
  );
}

function simpleFromLiteral(
  literal: core.Literal,
  simple: core.SimpleType,
  options: FromLiteralOptions,
  path: string,
  fail: () => never,
): unknown {
  const sv = literal.value.case === "scalar" ? literal.value.value.value : undefined;
  const pv = sv?.case === "primitive" ? sv.value.value : undefined;
  switch (simple) {
    case S.NONE:
      if (sv?.case !== "noneType") return fail();
      return null;
    case S.INTEGER: {
      if (pv?.case !== "integer") return fail();
      if (options.int64 === "bigint") return pv.value;
      const n = Number(pv.value);
      if (!Number.isSafeInteger(n)) {
        throw new LiteralValueError(path, `integer ${pv.value} is beyond ±2^53; read it with { int64: "bigint" }`);
      }
      return n;
    }
    case S.FLOAT:
      if (pv?.case !== "floatValue") return fail();
      return pv.value;
    case S.STRING:
      if (pv?.case !== "stringValue") return fail();
      return pv.value;
    case S.BOOLEAN:
      if (pv?.case !== "boolean") return fail();
      return pv.value;
    case S.DATETIME:
      if (pv?.case !== "datetime") return fail();
      return timestampDate(pv.value);
    case S.DURATION:
      if (pv?.case !== "duration") return fail();
      return durationToMilliseconds(pv.value);
    case S.BINARY:
      if (sv?.case !== "binary") return fail();
      return sv.value.value;
    case S.ERROR: {
      if (sv?.case !== "error") return fail();
      const err: ErrorValue = { message: sv.value.message, failedNodeId: sv.value.failedNodeId };
      return err;
    }
    case S.STRUCT:
      if (sv?.case === "binary" && sv.value.tag === "msgpack") return structFromMsgpack(sv.value.value, path);
      if (sv?.case !== "generic") return fail();
      return sv.value;
    default:
      throw new LiteralValueError(path, `unknown simple type ${String(simple)}`);
  }
}

// flytekit ≥ 1.14 writes dataclasses, Pydantic models and dicts as msgpack instead of a Struct.
function structFromMsgpack(bytes: Uint8Array, path: string): unknown {
  let value: unknown;
  try {
    value = decodeMsgpack(bytes);
  } catch (e) {
    throw new LiteralValueError(path, `struct: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isPlainObject(value)) throw new LiteralValueError(path, `expected a msgpack map for struct, got ${describeValue(value)}`);
  return value;
}

/** Converts a record of values to a LiteralMap given the variables' types; unknown names are an error. */
export function toLiteralMap(
  values: Readonly<Record<string, unknown>>,
  types: Readonly<Record<string, core.LiteralType>> | core.VariableMap,
): core.LiteralMap {
  const byName = variableTypes(types);
  const literals: Record<string, core.Literal> = {};
  for (const [name, value] of Object.entries(values)) {
    const t = byName[name];
    if (!t) throw new LiteralValueError(name, `no such variable (known: ${Object.keys(byName).join(", ") || "none"})`);
    literals[name] = toLiteral(value, t, name);
  }
  return literalMap(literals);
}

/** Converts a LiteralMap to a record of plain values given the variables' types; unknown names are an error. */
export function fromLiteralMap(
  map: core.LiteralMap,
  types: Readonly<Record<string, core.LiteralType>> | core.VariableMap,
  options: FromLiteralOptions = {},
): Record<string, unknown> {
  const byName = variableTypes(types);
  const out: Record<string, unknown> = {};
  for (const [name, l] of Object.entries(map.literals)) {
    const t = byName[name];
    if (!t) throw new LiteralValueError(name, `no such variable (known: ${Object.keys(byName).join(", ") || "none"})`);
    out[name] = fromLiteral(l, t, options, name);
  }
  return out;
}

function variableTypes(
  types: Readonly<Record<string, core.LiteralType>> | core.VariableMap,
): Readonly<Record<string, core.LiteralType>> {
  if (!isMessage(types, core.VariableMapSchema)) return types as Readonly<Record<string, core.LiteralType>>;
  const out: Record<string, core.LiteralType> = {};
  for (const [name, v] of Object.entries(types.variables)) {
    if (!v.type) throw new LiteralValueError(name, "variable has no type");
    out[name] = v.type;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function uriRef(v: unknown): { uri: string; format?: unknown; dimensionality?: unknown } | undefined {
  if (typeof v === "string") return { uri: v };
  if (isPlainObject(v) && typeof v["uri"] === "string") return { uri: v["uri"], format: v["format"], dimensionality: v["dimensionality"] };
  return undefined;
}

/** Path of a map entry: `a.b` for identifier-like keys, `a["odd key"]` otherwise. */
function joinKey(path: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Checks a struct value is pure JSON so it survives the google.protobuf.Struct round trip unchanged. */
function toJsonObject(value: Record<string, unknown>, path: string): JsonObject {
  const check = (v: unknown, p: string): JsonValue => {
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new LiteralValueError(p, `struct numbers must be finite, got ${v}`);
      return v;
    }
    if (Array.isArray(v)) return v.map((x, i) => check(x, `${p}[${i}]`));
    if (isPlainObject(v)) {
      const o: JsonObject = {};
      for (const [k, x] of Object.entries(v)) o[k] = check(x, joinKey(p, k));
      return o;
    }
    throw new LiteralValueError(p, `struct values must be JSON, got ${describeValue(v)}`);
  };
  return check(value, path) as JsonObject;
}

/** How a JS value is named in error messages: its kind plus a short rendering. */
function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === "number") return Number.isInteger(v) ? `integer ${v}` : `float ${v}`;
  if (typeof v === "bigint") return `integer ${v}`;
  if (typeof v === "boolean") return `boolean ${v}`;
  if (v instanceof Date) return `Date ${Number.isNaN(v.getTime()) ? "(invalid)" : v.toISOString()}`;
  if (v instanceof Uint8Array) return `bytes (${v.length})`;
  if (Array.isArray(v)) return `array (${v.length} items)`;
  if (isPlainObject(v)) return "object";
  return typeof v === "object" ? `${v.constructor?.name ?? "object"} instance` : typeof v;
}
