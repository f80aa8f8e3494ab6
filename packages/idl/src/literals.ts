// Builders for FlyteIDL literals. Every Flyte value crosses the wire as a `core.Literal`; these builders are the one
// place that knows the nesting (Literal → Scalar → Primitive …) so callers write `lit.integer(3)` instead of it.
import { create, type JsonObject } from "@bufbuild/protobuf";
import {
  DurationSchema,
  TimestampSchema,
  timestampDate,
  timestampFromDate,
  type Duration,
  type Timestamp,
} from "@bufbuild/protobuf/wkt";
import * as core from "../gen/flyteidl_core.js";
import type { BlobDimensionality } from "./types.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A value given to a literal builder (or to `toLiteral`) that cannot become a literal. */
export class LiteralValueError extends Error {
  readonly code = "INVALID_LITERAL_VALUE";
  /** Where in the value the problem is, e.g. `x[3].name`; empty for the top level. */
  readonly path: string;
  constructor(path: string, reason: string) {
    super(path === "" ? reason : `${path}: ${reason}`);
    this.name = "LiteralValueError";
    this.path = path;
  }
}

export interface BlobOptions {
  /** Free-form format tag such as "csv" or "" (Flyte's "any format"). */
  format?: string;
  dimensionality?: BlobDimensionality;
}

export interface StructuredDatasetOptions {
  /** Storage format, e.g. "parquet"; "" means unspecified. */
  format?: string;
  /** Full dataset type (columns, external schema); when given, `format` overrides its format if also given. */
  type?: core.StructuredDatasetType;
}

function scalar(value: core.Scalar["value"]): core.Literal {
  return create(core.LiteralSchema, { value: { case: "scalar", value: create(core.ScalarSchema, { value }) } });
}

function primitive(value: core.Primitive["value"]): core.Literal {
  return scalar({ case: "primitive", value: create(core.PrimitiveSchema, { value }) });
}

/** Converts a JS integer to int64, refusing values that would silently lose precision or overflow. */
export function toInt64(v: number | bigint, path = ""): bigint {
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new LiteralValueError(path, `expected integer, got float ${v}`);
    if (!Number.isSafeInteger(v)) {
      throw new LiteralValueError(path, `integer ${v} is beyond ±2^53 and has lost precision; pass a bigint`);
    }
    return BigInt(v);
  }
  if (v < INT64_MIN || v > INT64_MAX) throw new LiteralValueError(path, `integer ${v} does not fit in int64`);
  return v;
}

/**
 * Duration from milliseconds (fractional milliseconds keep sub-millisecond precision down to nanoseconds).
 * protobuf-es' own `durationFromMs` cannot be used: it produces fractional nanos for fractional input.
 */
export function durationFromMilliseconds(ms: number, path = ""): Duration {
  if (!Number.isFinite(ms)) throw new LiteralValueError(path, `duration must be a finite number of milliseconds, got ${ms}`);
  const totalNanos = BigInt(Math.round(ms * 1e6));
  const seconds = totalNanos / 1_000_000_000n; // truncates toward zero, so seconds and nanos share a sign
  const nanos = Number(totalNanos - seconds * 1_000_000_000n);
  return create(DurationSchema, { seconds, nanos });
}

/** Milliseconds of a Duration; sub-millisecond parts become fractions. */
export function durationToMilliseconds(d: Duration): number {
  return Number(d.seconds) * 1000 + d.nanos / 1e6;
}

function blobType(options: BlobOptions): core.BlobType {
  return create(core.BlobTypeSchema, {
    format: options.format ?? "",
    dimensionality:
      options.dimensionality === "multipart"
        ? core.BlobType_BlobDimensionality.MULTIPART
        : core.BlobType_BlobDimensionality.SINGLE,
  });
}

/** Literal builders, one per Flyte value kind. */
export const lit = {
  /** int64; numbers must be safe integers, bigints must fit in int64. */
  integer(v: number | bigint): core.Literal {
    return primitive({ case: "integer", value: toInt64(v) });
  },
  float(v: number): core.Literal {
    return primitive({ case: "floatValue", value: v });
  },
  string(v: string): core.Literal {
    return primitive({ case: "stringValue", value: v });
  },
  boolean(v: boolean): core.Literal {
    return primitive({ case: "boolean", value: v });
  },
  /** A Date (millisecond precision) or a Timestamp message (nanosecond precision). */
  datetime(v: Date | Timestamp): core.Literal {
    if (v instanceof Date) {
      if (Number.isNaN(v.getTime())) throw new LiteralValueError("", "datetime is an invalid Date");
      return primitive({ case: "datetime", value: timestampFromDate(v) });
    }
    return primitive({ case: "datetime", value: create(TimestampSchema, v) });
  },
  /** Milliseconds (may be fractional) or a Duration message. */
  duration(v: number | Duration): core.Literal {
    const d = typeof v === "number" ? durationFromMilliseconds(v) : create(DurationSchema, v);
    return primitive({ case: "duration", value: d });
  },
  /** Raw bytes; `tag` names the encoding (flytekit uses "msgpack" for dataclasses and dicts). */
  binary(value: Uint8Array, tag = ""): core.Literal {
    return scalar({ case: "binary", value: create(core.BinarySchema, { value, tag }) });
  },
  /** Flyte's None (`Void`). */
  none(): core.Literal {
    return scalar({ case: "noneType", value: create(core.VoidSchema) });
  },
  /** An untyped JSON object (google.protobuf.Struct). */
  struct(value: JsonObject): core.Literal {
    return scalar({ case: "generic", value });
  },
  collection(items: readonly core.Literal[]): core.Literal {
    return create(core.LiteralSchema, {
      value: { case: "collection", value: create(core.LiteralCollectionSchema, { literals: [...items] }) },
    });
  },
  map(record: Readonly<Record<string, core.Literal>>): core.Literal {
    return create(core.LiteralSchema, { value: { case: "map", value: literalMap(record) } });
  },
  blob(uri: string, options: BlobOptions = {}): core.Literal {
    const metadata = create(core.BlobMetadataSchema, { type: blobType(options) });
    return scalar({ case: "blob", value: create(core.BlobSchema, { uri, metadata }) });
  },
  /** A (legacy) schema literal: a URI with column types. */
  schema(uri: string, type?: core.SchemaType): core.Literal {
    return scalar({ case: "schema", value: create(core.SchemaSchema, { uri, ...(type ? { type } : {}) }) });
  },
  structuredDataset(uri: string, options: StructuredDatasetOptions = {}): core.Literal {
    const sdType = create(core.StructuredDatasetTypeSchema, options.type ?? {});
    if (options.format !== undefined) sdType.format = options.format;
    const metadata = create(core.StructuredDatasetMetadataSchema, { structuredDatasetType: sdType });
    return scalar({ case: "structuredDataset", value: create(core.StructuredDatasetSchema, { uri, metadata }) });
  },
  /** A union value; `storedType` is the variant the value was converted with (Flyte needs it to decode). */
  union(value: core.Literal, storedType: core.LiteralType): core.Literal {
    return scalar({ case: "union", value: create(core.UnionSchema, { value, type: storedType }) });
  },
  error(message: string, failedNodeId = ""): core.Literal {
    return scalar({ case: "error", value: create(core.ErrorSchema, { message, failedNodeId }) });
  },
  /** Flyte's reference to a literal stored elsewhere (see @aloft/storage `offloadLiteral`). */
  offloaded(uri: string, sizeBytes: number | bigint, inferredType: core.LiteralType): core.Literal {
    const size = BigInt(sizeBytes);
    if (size < 0n) throw new LiteralValueError("", `offloaded size must not be negative, got ${size}`);
    return create(core.LiteralSchema, {
      value: {
        case: "offloadedMetadata",
        value: create(core.LiteralOffloadedMetadataSchema, { uri, sizeBytes: size, inferredType }),
      },
    });
  },
} as const;

/** A LiteralMap from a record of literals (the shape of task inputs and outputs). */
export function literalMap(record: Readonly<Record<string, core.Literal>>): core.LiteralMap {
  return create(core.LiteralMapSchema, { literals: { ...record } });
}

/** The kind of a literal, e.g. "integer", "collection", "blob"; used in messages. */
export function literalKind(l: core.Literal): string {
  switch (l.value.case) {
    case "collection":
    case "map":
      return l.value.case;
    case "offloadedMetadata":
      return "offloaded";
    case undefined:
      return l.hash !== "" ? "hash-only" : "empty";
    case "scalar": {
      const sv = l.value.value.value;
      switch (sv.case) {
        case "primitive":
          return sv.value.value.case === "floatValue" ? "float" : sv.value.value.case === "stringValue" ? "string" : (sv.value.value.case ?? "empty primitive");
        case "noneType":
          return "none";
        case "generic":
          return "struct";
        case "structuredDataset":
          return "structured dataset";
        case undefined:
          return "empty scalar";
        default:
          return sv.case;
      }
    }
  }
}

/** "integer literal 3", "string literal \"abc\"": a literal as named in error messages. */
export function describeLiteral(l: core.Literal): string {
  const text = formatLiteral(l);
  return `${literalKind(l)} literal ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`;
}

/** One-line, human-readable rendering of a literal (what the CLI prints for outputs). */
export function formatLiteral(l: core.Literal): string {
  switch (l.value.case) {
    case "collection":
      return `[${l.value.value.literals.map(formatLiteral).join(", ")}]`;
    case "map":
      return formatEntries(l.value.value.literals);
    case "offloadedMetadata":
      return `offloaded(${l.value.value.uri}, ${l.value.value.sizeBytes} bytes)`;
    case undefined:
      return l.hash !== "" ? `<hash ${l.hash}>` : "<empty>";
    case "scalar":
      return formatScalar(l.value.value);
  }
}

/** A literal map as `name: value` lines sorted by name. */
export function formatLiteralMap(m: core.LiteralMap): string {
  return Object.keys(m.literals)
    .sort()
    .map((k) => `${k}: ${formatLiteral(m.literals[k] as core.Literal)}`)
    .join("\n");
}

function formatEntries(entries: Record<string, core.Literal>): string {
  const keys = Object.keys(entries).sort();
  const parts = keys.map((k) => `${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k)}: ${formatLiteral(entries[k] as core.Literal)}`);
  return `{${parts.join(", ")}}`;
}

function formatScalar(s: core.Scalar): string {
  const v = s.value;
  switch (v.case) {
    case "primitive": {
      const p = v.value.value;
      switch (p.case) {
        case "integer":
          return p.value.toString();
        case "floatValue":
          return Number.isInteger(p.value) ? p.value.toFixed(1) : String(p.value);
        case "stringValue":
          return JSON.stringify(p.value);
        case "boolean":
          return String(p.value);
        case "datetime":
          return timestampDate(p.value).toISOString();
        case "duration":
          return `${durationToMilliseconds(p.value) / 1000}s`;
        case undefined:
          return "<empty primitive>";
      }
      break;
    }
    case "noneType":
      return "None";
    case "binary":
      if (v.value.tag === "msgpack") {
        try {
          return JSON.stringify(decodeMsgpack(v.value.value), (_k, x: unknown) => (x instanceof Uint8Array ? `<${x.length} bytes>` : x));
        } catch {
          // Not valid msgpack after all: fall through to the size summary.
        }
      }
      return `<binary ${v.value.value.length} bytes${v.value.tag ? `, tag ${v.value.tag}` : ""}>`;
    case "generic":
      return JSON.stringify(v.value);
    case "blob": {
      const t = v.value.metadata?.type;
      const multi = t?.dimensionality === core.BlobType_BlobDimensionality.MULTIPART ? ", multipart" : "";
      return `blob(${v.value.uri}${t?.format ? `, format=${t.format}` : ""}${multi})`;
    }
    case "structuredDataset": {
      const format = v.value.metadata?.structuredDatasetType?.format;
      return `structured_dataset(${v.value.uri}${format ? `, format=${format}` : ""})`;
    }
    case "schema":
      return `schema(${v.value.uri})`;
    case "union":
      return v.value.value ? formatLiteral(v.value.value) : "<empty union>";
    case "error":
      return `error(${v.value.failedNodeId ? `node ${v.value.failedNodeId}: ` : ""}${v.value.message})`;
    case undefined:
      return "<empty scalar>";
  }
}

/**
 * Decodes a MessagePack payload, the encoding flytekit (≥ 1.14) uses for dataclasses, Pydantic models and dicts in
 * `Binary` literals tagged "msgpack". Integers beyond ±2^53 and extension types are refused rather than mangled;
 * map keys must be strings (JSON-like objects).
 */
export function decodeMsgpack(bytes: Uint8Array): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const fail = (why: string): never => {
    throw new LiteralValueError("", `invalid msgpack at byte ${pos}: ${why}`);
  };
  const need = (n: number) => {
    if (pos + n > bytes.length) fail(`needs ${n} more bytes, ${bytes.length - pos} left`);
  };
  const uint = (n: 1 | 2 | 4 | 8): number => {
    need(n);
    const at = pos;
    pos += n;
    if (n === 1) return view.getUint8(at);
    if (n === 2) return view.getUint16(at);
    if (n === 4) return view.getUint32(at);
    const big = view.getBigUint64(at);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) fail(`integer ${big} is beyond 2^53`);
    return Number(big);
  };
  const int = (n: 1 | 2 | 4 | 8): number => {
    need(n);
    const at = pos;
    pos += n;
    if (n === 1) return view.getInt8(at);
    if (n === 2) return view.getInt16(at);
    if (n === 4) return view.getInt32(at);
    const big = view.getBigInt64(at);
    if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) fail(`integer ${big} is beyond ±2^53`);
    return Number(big);
  };
  const raw = (n: number): Uint8Array => {
    need(n);
    pos += n;
    return bytes.subarray(pos - n, pos);
  };
  const float = (n: 4 | 8): number => {
    need(n);
    pos += n;
    return n === 4 ? view.getFloat32(pos - 4) : view.getFloat64(pos - 8);
  };
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const str = (n: number): string => {
    const at = pos;
    const b = raw(n);
    try {
      return utf8.decode(b);
    } catch {
      pos = at;
      return fail("string is not valid UTF-8");
    }
  };
  const array = (n: number): unknown[] => Array.from({ length: n }, () => next());
  const map = (n: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const k = next();
      if (typeof k !== "string") fail(`map key of type ${k === null ? "nil" : typeof k}; only string keys are supported`);
      out[k as string] = next();
    }
    return out;
  };
  const next = (): unknown => {
    need(1);
    const b = view.getUint8(pos++);
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if (b >= 0x80 && b <= 0x8f) return map(b & 0x0f);
    if (b >= 0x90 && b <= 0x9f) return array(b & 0x0f);
    if (b >= 0xa0 && b <= 0xbf) return str(b & 0x1f);
    switch (b) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return raw(uint(1));
      case 0xc5: return raw(uint(2));
      case 0xc6: return raw(uint(4));
      case 0xca: return float(4);
      case 0xcb: return float(8);
      case 0xcc: return uint(1);
      case 0xcd: return uint(2);
      case 0xce: return uint(4);
      case 0xcf: return uint(8);
      case 0xd0: return int(1);
      case 0xd1: return int(2);
      case 0xd2: return int(4);
      case 0xd3: return int(8);
      case 0xd9: return str(uint(1));
      case 0xda: return str(uint(2));
      case 0xdb: return str(uint(4));
      case 0xdc: return array(uint(2));
      case 0xdd: return array(uint(4));
      case 0xde: return map(uint(2));
      case 0xdf: return map(uint(4));
      default: return fail(`type byte 0x${b.toString(16)} (extension types are not supported)`);
    }
  };
  const value = next();
  if (pos !== bytes.length) fail(`${bytes.length - pos} trailing bytes`);
  return value;
}
