import { create, fromBinary, toBinary, equals } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import * as core from "../gen/flyteidl_core.js";
import { LiteralValueError, decodeMsgpack, durationFromMilliseconds, durationToMilliseconds, formatLiteral, formatLiteralMap, lit, literalKind, literalMap } from "./literals.ts";
import { types } from "./types.ts";

function roundTrip(l: core.Literal): core.Literal {
  return fromBinary(core.LiteralSchema, toBinary(core.LiteralSchema, l));
}

describe("lit builders", () => {
  it("build every kind and survive a binary round trip", () => {
    const all: core.Literal[] = [
      lit.integer(42),
      lit.integer(-(2n ** 63n)),
      lit.float(1.5),
      lit.string("héllo"),
      lit.boolean(false),
      lit.datetime(new Date("2024-02-29T12:34:56.789Z")),
      lit.duration(1500.25),
      lit.binary(new Uint8Array([1, 2, 3]), "msgpack"),
      lit.none(),
      lit.struct({ a: 1, b: [true, null, "x"], c: { d: 2.5 } }),
      lit.collection([lit.integer(1), lit.integer(2)]),
      lit.map({ x: lit.string("y") }),
      lit.blob("s3://b/k", { format: "csv", dimensionality: "multipart" }),
      lit.schema("s3://b/schema"),
      lit.structuredDataset("s3://b/df", { format: "parquet" }),
      lit.union(lit.integer(3), types.integer()),
      lit.error("boom", "n1"),
      lit.offloaded("s3://b/off.pb", 1234, types.list(types.integer())),
    ];
    for (const l of all) expect(equals(core.LiteralSchema, roundTrip(l), l)).toBe(true);
  });

  it("puts values where FlyteIDL expects them", () => {
    const l = lit.integer(7);
    expect(l.value.case).toBe("scalar");
    const sv = l.value.case === "scalar" ? l.value.value.value : undefined;
    expect(sv?.case === "primitive" && sv.value.value).toEqual({ case: "integer", value: 7n });
    const blob = lit.blob("file:///x", { dimensionality: "multipart" });
    const b = blob.value.case === "scalar" && blob.value.value.value.case === "blob" ? blob.value.value.value.value : undefined;
    expect(b?.metadata?.type?.dimensionality).toBe(core.BlobType_BlobDimensionality.MULTIPART);
    expect(b?.metadata?.type?.format).toBe("");
  });

  it("rejects integers that are not exact int64 values", () => {
    expect(() => lit.integer(1.5)).toThrow(/expected integer, got float 1.5/);
    expect(() => lit.integer(2 ** 60)).toThrow(/lost precision; pass a bigint/);
    expect(() => lit.integer(2n ** 63n)).toThrow(LiteralValueError);
    expect(lit.integer(2n ** 63n - 1n)).toBeTruthy();
  });

  it("rejects an invalid Date and a negative offloaded size", () => {
    expect(() => lit.datetime(new Date("nope"))).toThrow(/invalid Date/);
    expect(() => lit.offloaded("s3://x", -1, types.integer())).toThrow(/negative/);
  });

  it("literalMap copies the record so later edits do not leak in", () => {
    const rec: Record<string, core.Literal> = { a: lit.integer(1) };
    const m = literalMap(rec);
    rec["b"] = lit.integer(2);
    expect(Object.keys(m.literals)).toEqual(["a"]);
  });
});

describe("durations", () => {
  it("keeps sub-millisecond precision and a common sign", () => {
    const d = durationFromMilliseconds(-1500.000001);
    expect(d.seconds).toBe(-1n);
    expect(d.nanos).toBe(-500_000_001);
    expect(durationToMilliseconds(durationFromMilliseconds(2750.5))).toBe(2750.5);
  });
  it("rejects non-finite milliseconds", () => {
    expect(() => durationFromMilliseconds(Infinity)).toThrow(/finite/);
  });
});

describe("formatLiteral", () => {
  it("prints nested values readably with sorted map keys", () => {
    const l = lit.map({
      z: lit.collection([lit.integer(1), lit.float(2), lit.string("a\"b")]),
      a: lit.blob("s3://b/f.csv", { format: "csv" }),
      "odd key": lit.none(),
    });
    expect(formatLiteral(l)).toBe('{a: blob(s3://b/f.csv, format=csv), "odd key": None, z: [1, 2.0, "a\\"b"]}');
  });
  it("prints scalars of every kind", () => {
    expect(formatLiteral(lit.datetime(new Date("2024-01-02T03:04:05.006Z")))).toBe("2024-01-02T03:04:05.006Z");
    expect(formatLiteral(lit.duration(1500))).toBe("1.5s");
    expect(formatLiteral(lit.binary(new Uint8Array(12), "msgpack"))).toBe("<binary 12 bytes, tag msgpack>");
    expect(formatLiteral(lit.struct({ k: [1, "v"] }))).toBe('{"k":[1,"v"]}');
    expect(formatLiteral(lit.union(lit.boolean(true), types.boolean()))).toBe("true");
    expect(formatLiteral(lit.error("bad", "n0"))).toBe("error(node n0: bad)");
    expect(formatLiteral(lit.structuredDataset("s3://d", { format: "parquet" }))).toBe("structured_dataset(s3://d, format=parquet)");
    expect(formatLiteral(lit.offloaded("s3://o", 10, types.integer()))).toBe("offloaded(s3://o, 10 bytes)");
    expect(formatLiteral(create(core.LiteralSchema, { hash: "abc" }))).toBe("<hash abc>");
  });
  it("prints a literal map one entry per line", () => {
    expect(formatLiteralMap(literalMap({ b: lit.integer(2), a: lit.string("x") }))).toBe('a: "x"\nb: 2');
  });
  it("names literal kinds", () => {
    expect(literalKind(lit.float(1))).toBe("float");
    expect(literalKind(lit.structuredDataset("x"))).toBe("structured dataset");
    expect(literalKind(lit.collection([]))).toBe("collection");
  });
});

const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ""), "hex"));

describe("decodeMsgpack", () => {
  // Hand-encoded from the MessagePack spec.
  it("decodes a map like flytekit's dataclass payloads", () => {
    expect(decodeMsgpack(hex("82 a4 6e616d65 a6 426f6e6e6965 a2 6964 03"))).toEqual({ name: "Bonnie", id: 3 });
  });

  it("decodes every scalar width and kind", () => {
    const bytes = hex(`9c cb 3ff8000000000000 f9 cd 012c ce 00011170 cf 0000010000000000 d3 ffffff0000000000
      d1 ff38 a2 c3a9 c0 c2 c3 c4 02 0001`);
    expect(decodeMsgpack(bytes)).toEqual([1.5, -7, 300, 70000, 2 ** 40, -(2 ** 40), -200, "é", null, false, true, new Uint8Array([0, 1])]);
    expect(decodeMsgpack(hex("ca 3fc00000"))).toBe(1.5);
    expect(decodeMsgpack(hex("dc 0002 01 02"))).toEqual([1, 2]);
    expect(decodeMsgpack(hex("d9 03 616263"))).toBe("abc");
  });

  it("refuses malformed or unsupported payloads, saying where", () => {
    expect(() => decodeMsgpack(hex("a4 6e61"))).toThrow("invalid msgpack at byte 1: needs 4 more bytes, 2 left");
    expect(() => decodeMsgpack(hex("d4 01 00"))).toThrow(/type byte 0xd4 \(extension types are not supported\)/);
    expect(() => decodeMsgpack(hex("01 02"))).toThrow(/1 trailing bytes/);
    expect(() => decodeMsgpack(hex("cf 1000000000000000"))).toThrow(/beyond 2\^53/);
    expect(() => decodeMsgpack(hex("81 01 02"))).toThrow(/map key of type number/);
    expect(() => decodeMsgpack(hex("a2 c328"))).toThrow(LiteralValueError);
  });

  it("is used to print msgpack binaries readably", () => {
    expect(formatLiteral(lit.binary(hex("82 a4 6e616d65 a6 426f6e6e6965 a2 6964 03"), "msgpack"))).toBe('{"name":"Bonnie","id":3}');
    expect(formatLiteral(lit.binary(hex("d4 01 00"), "msgpack"))).toBe("<binary 3 bytes, tag msgpack>");
  });
});
