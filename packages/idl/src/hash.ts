// Stable literal hashes for cache keys. They reproduce Flyte's own scheme byte for byte, so an Aloft cache key for
// given inputs equals the one flytepropeller would compute:
//   1. "hashify": a literal that carries `hash` is replaced by a literal holding only that hash (flytekit sets it
//      for offloaded data, dataframes, files), recursing through collections and maps;
//   2. render the message as proto3 JSON (map keys and field order stop mattering: JSON objects are unordered);
//   3. hash that JSON with objecthash (github.com/benlaurie/objecthash), which sorts object entries by key hash.
// Hashing `toBinary` would not do: protobuf map entries have no canonical order.
import { createHash } from "node:crypto";
import { create, toJson, type JsonValue } from "@bufbuild/protobuf";
import * as core from "../gen/flyteidl_core.js";

/** sha256 digest (32 bytes) of a literal's proto3 JSON under objecthash; no hashify step. */
export function literalDigest(literal: core.Literal): Uint8Array {
  return objectHash(toJson(core.LiteralSchema, literal));
}

/** Cache-key digest of a literal map: entries in `ignoredKeys` are dropped, `hash` overrides respected. */
export function literalMapDigest(map: core.LiteralMap | undefined, ignoredKeys: readonly string[] = []): Uint8Array {
  const literals: Record<string, core.Literal> = {};
  for (const [name, l] of Object.entries(map?.literals ?? {})) {
    if (!ignoredKeys.includes(name)) literals[name] = hashify(l);
  }
  return objectHash(toJson(core.LiteralMapSchema, create(core.LiteralMapSchema, { literals })));
}

/** Hex sha256 of a literal for cache keys, respecting `Literal.hash` (at any depth). */
export function hashLiteral(literal: core.Literal): string {
  return toHex(literalDigest(hashify(literal)));
}

/** Hex sha256 of a literal map for cache keys (Flyte's tag is the same digest in unpadded base64url). */
export function hashLiteralMap(map: core.LiteralMap | undefined, ignoredKeys: readonly string[] = []): string {
  return toHex(literalMapDigest(map, ignoredKeys));
}

/**
 * Replaces every literal that carries a hash by a literal holding only that hash. Collections and maps are rebuilt
 * from their hashified children (dropping their own metadata, as Flyte does); other literals stay as they are.
 */
export function hashify(literal: core.Literal): core.Literal {
  if (literal.hash !== "") return create(core.LiteralSchema, { hash: literal.hash });
  const v = literal.value;
  if (v.case === "collection") {
    const literals = v.value.literals.map(hashify);
    return create(core.LiteralSchema, { value: { case: "collection", value: create(core.LiteralCollectionSchema, { literals }) } });
  }
  if (v.case === "map") {
    const literals: Record<string, core.Literal> = {};
    for (const [k, l] of Object.entries(v.value.literals)) literals[k] = hashify(l);
    return create(core.LiteralSchema, { value: { case: "map", value: create(core.LiteralMapSchema, { literals }) } });
  }
  return literal;
}

/** objecthash of a JSON value: every node is sha256(tag ‖ content); JSON numbers are treated as float64. */
export function objectHash(value: JsonValue): Uint8Array {
  if (value === null) return tagged("n", new Uint8Array());
  if (typeof value === "boolean") return tagged("b", utf8(value ? "1" : "0"));
  if (typeof value === "number") return tagged("f", utf8(normalizeFloat(value)));
  if (typeof value === "string") return tagged("u", utf8(value));
  if (Array.isArray(value)) return tagged("l", concat(value.map(objectHash)));
  const entries = Object.entries(value).map(([k, v]) => ({ k: objectHash(k), v: objectHash(v) }));
  entries.sort((a, b) => Buffer.compare(a.k, b.k));
  return tagged("d", concat(entries.flatMap((e) => [e.k, e.v])));
}

/**
 * objecthash's float form: sign, binary exponent e such that the mantissa m is in (0.5, 1], then m's bits.
 * Every step (halving, doubling, subtracting 1) is exact in float64, so this matches the Go implementation.
 */
function normalizeFloat(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Infinity) return "Infinity";
  if (f === -Infinity) return "-Infinity";
  if (f === 0) return "+0:";
  let s = f < 0 ? "-" : "+";
  let m = Math.abs(f);
  let e = 0;
  while (m > 1) {
    m /= 2;
    e++;
  }
  while (m <= 0.5) {
    m *= 2;
    e--;
  }
  s += `${e}:`;
  while (m !== 0) {
    if (m >= 1) {
      s += "1";
      m--;
    } else {
      s += "0";
    }
    m *= 2;
  }
  return s;
}

function tagged(tag: string, content: Uint8Array): Uint8Array {
  return createHash("sha256").update(tag).update(content).digest();
}

function utf8(s: string): Uint8Array {
  return Buffer.from(s, "utf8");
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}
