import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import * as core from "../gen/flyteidl_core.js";
import { hashLiteral, hashLiteralMap, hashify, literalMapDigest, objectHash } from "./hash.ts";
import { lit, literalMap } from "./literals.ts";
import { types } from "./types.ts";

const b64url = (b: Uint8Array) => Buffer.from(b).toString("base64url");
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

describe("compatibility with Flyte's cache keys", () => {
  // Expected values are the ones flytepropeller's own tests pin for catalog.HashLiteralMap.
  it("hashes {1: 1, 2: 2} to Flyte's tag", () => {
    const m = literalMap({ "1": lit.integer(1), "2": lit.integer(2) });
    expect(b64url(literalMapDigest(m))).toBe("GQid5LjHbakcW68DS3P2jp80QLbiF0olFHF2hTh5bg8");
  });
  it("hashes empty and missing inputs to Flyte's empty tag", () => {
    expect(b64url(literalMapDigest(undefined))).toBe("GKw-c0PwFokMUQ6T-TUmEWnZ4_VlQ2Qpgw-vCTT0-OQ");
    expect(b64url(literalMapDigest(literalMap({})))).toBe("GKw-c0PwFokMUQ6T-TUmEWnZ4_VlQ2Qpgw-vCTT0-OQ");
  });
  it("drops ignored inputs like Flyte's cache_ignore_input_vars", () => {
    const m = literalMap({ "2": lit.integer(2), "1": lit.integer(1), "3": lit.integer(3) });
    expect(b64url(literalMapDigest(m, ["3"]))).toBe("GQid5LjHbakcW68DS3P2jp80QLbiF0olFHF2hTh5bg8");
  });
  // Vectors from flytestdlib's pbhash tests (objecthash over jsonpb output), covering floats and nested objects.
  it("matches objecthash on Flyte's pbhash vectors", () => {
    const full = {
      integer: "18",
      floatValue: 1.3,
      stringValue: "lets test this",
      boolean: true,
      datetime: "2019-03-29T12:00:00Z",
      duration: "0.001s",
      mapValue: { z: "last", a: "first" },
      collections: ["1", "2", "3"],
    };
    expect(b64(objectHash(full))).toBe("YpWyLCP1NW0DVk3Hj64tK70H/9t+5fQlj7yyDK2lSEQ=");
    expect(b64(objectHash({ integer: "18", floatValue: 1.3, stringValue: "lets test this", boolean: true }))).toBe(
      "GhPMTKvJfUPHK8U3vEmoi/wdVBx7IQSPqyjGXAZzquI=",
    );
  });
});

describe("hashLiteralMap", () => {
  const a = () =>
    literalMap({
      x: lit.integer(1),
      y: lit.map({ p: lit.string("a"), q: lit.collection([lit.float(0), lit.float(-2.5)]) }),
      z: lit.struct({ k2: 1, k1: [true] }),
    });
  it("is hex sha256", () => {
    expect(hashLiteralMap(a())).toMatch(/^[0-9a-f]{64}$/);
  });
  it("does not depend on map key order at any depth", () => {
    const b = literalMap({
      z: lit.struct({ k1: [true], k2: 1 }),
      y: lit.map({ q: lit.collection([lit.float(0), lit.float(-2.5)]), p: lit.string("a") }),
      x: lit.integer(1),
    });
    expect(hashLiteralMap(b)).toBe(hashLiteralMap(a()));
  });
  it("is equal for equal values built separately", () => {
    expect(hashLiteralMap(a())).toBe(hashLiteralMap(a()));
  });
  it("changes when any value, name, kind or list order changes", () => {
    const base = hashLiteralMap(a());
    const variants = [
      literalMap({ ...a().literals, x: lit.integer(2) }),
      literalMap({ ...a().literals, x: lit.float(1) }),
      literalMap({ ...a().literals, x: lit.string("1") }),
      literalMap({ w: lit.integer(1), y: a().literals["y"]!, z: a().literals["z"]! }),
      literalMap({ ...a().literals, y: lit.map({ p: lit.string("a"), q: lit.collection([lit.float(-2.5), lit.float(0)]) }) }),
    ];
    const hashes = new Set(variants.map((m) => hashLiteralMap(m)));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(base)).toBe(false);
  });
  it("ignores keys listed as ignored", () => {
    const withExtra = literalMap({ ...a().literals, seed: lit.integer(99) });
    expect(hashLiteralMap(withExtra, ["seed"])).toBe(hashLiteralMap(a()));
    expect(hashLiteralMap(withExtra)).not.toBe(hashLiteralMap(a()));
  });
});

describe("Literal.hash overrides the value", () => {
  const withHash = (l: core.Literal, hash: string) => ({ ...l, hash });
  it("treats two different datasets with the same hash as equal", () => {
    const d1 = withHash(lit.structuredDataset("s3://b/one", { format: "parquet" }), "h1");
    const d2 = withHash(lit.structuredDataset("s3://b/two", { format: "parquet" }), "h1");
    expect(hashLiteral(d1)).toBe(hashLiteral(d2));
    expect(hashLiteralMap(literalMap({ df: lit.collection([d1]) }))).toBe(hashLiteralMap(literalMap({ df: lit.collection([d2]) })));
    expect(hashLiteral(d1)).not.toBe(hashLiteral(withHash(d1, "h2")));
  });
  it("hashify replaces hashed literals by hash-only ones and keeps the rest", () => {
    const inner = withHash(lit.blob("s3://b/f"), "hb");
    const h = hashify(lit.map({ f: inner, n: lit.integer(1) }));
    const entries = h.value.case === "map" ? h.value.value.literals : {};
    expect(entries["f"]).toEqual(create(core.LiteralSchema, { hash: "hb" }));
    expect(entries["n"]).toEqual(lit.integer(1));
  });
  it("still distinguishes unhashed literals by value", () => {
    expect(hashLiteral(lit.blob("s3://b/one"))).not.toBe(hashLiteral(lit.blob("s3://b/two")));
    expect(hashLiteral(lit.union(lit.integer(1), types.integer()))).not.toBe(hashLiteral(lit.integer(1)));
  });
});
