import { create, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import * as core from "../gen/flyteidl_core.js";
import { LiteralValueError, lit } from "./literals.ts";
import { types } from "./types.ts";
import { fromLiteral, fromLiteralMap, toLiteral, toLiteralMap } from "./values.ts";

/** value → literal → bytes → literal → value, the path every input takes through Aloft. */
function roundTrip(value: unknown, type: core.LiteralType, options = {}): unknown {
  const l = toLiteral(value, type);
  const back = fromBinary(core.LiteralSchema, toBinary(core.LiteralSchema, l));
  return fromLiteral(back, type, options);
}

describe("toLiteral / fromLiteral round trips", () => {
  const cases: Array<[string, unknown, core.LiteralType]> = [
    ["integer", 42, types.integer()],
    ["negative integer", -9007199254740991, types.integer()],
    ["float", 3.25, types.float()],
    ["string", "héllo", types.string()],
    ["boolean", true, types.boolean()],
    ["datetime", new Date("2024-02-29T12:34:56.789Z"), types.datetime()],
    ["duration (ms)", 90061.5, types.duration()],
    ["binary", new Uint8Array([0, 255, 7]), types.binary()],
    ["none", null, types.none()],
    ["struct", { a: 1, b: ["x", null, false], c: { d: 2.5 } }, types.struct()],
    ["error", { message: "boom", failedNodeId: "n3" }, types.error()],
    ["enum", "red", types.enumOf(["red", "green"])],
    ["list of lists", [[1, 2], [], [3]], types.list(types.list(types.integer()))],
    ["map", { a: "x", "b c": "y" }, types.map(types.string())],
    ["blob", { uri: "s3://b/f.csv", format: "csv", dimensionality: "single" }, types.blob("csv")],
    ["multipart blob", { uri: "s3://b/dir/", format: "", dimensionality: "multipart" }, types.blob("", "multipart")],
    ["structured dataset", { uri: "s3://b/df", format: "parquet" }, types.structuredDataset("parquet")],
    ["schema", { uri: "s3://b/schema" }, types.schema()],
    ["optional with value", 5, types.optional(types.integer())],
    ["optional without value", null, types.optional(types.integer())],
    ["union picks second variant", "s", types.union(types.integer(), types.string())],
  ];
  for (const [name, value, type] of cases) {
    it(`round-trips ${name}`, () => {
      expect(roundTrip(value, type)).toEqual(value);
    });
  }

  it("round-trips int64 extremes as bigint when asked", () => {
    const max = 2n ** 63n - 1n;
    expect(roundTrip(max, types.integer(), { int64: "bigint" })).toBe(max);
    expect(roundTrip(3, types.integer(), { int64: "bigint" })).toBe(3n);
  });

  it("accepts a bare URI for blobs and takes format and dimensionality from the type", () => {
    expect(roundTrip("s3://b/d/", types.blob("parquet", "multipart"))).toEqual({
      uri: "s3://b/d/",
      format: "parquet",
      dimensionality: "multipart",
    });
  });
});

describe("blob values", () => {
  it("keeps a format the value gives when the type leaves it open", () => {
    expect(roundTrip({ uri: "s3://b/f.csv", format: "csv" }, types.blob())).toEqual({ uri: "s3://b/f.csv", format: "csv", dimensionality: "single" });
  });
  it("refuses a format or dimensionality that contradicts the type", () => {
    expect(() => toLiteral({ uri: "s3://b/f", format: "parquet" }, types.blob("csv"), "f")).toThrow('f.format: blob format "parquet" does not match the type\'s "csv"');
    expect(() => toLiteral({ uri: "s3://b/d/", dimensionality: "single" }, types.blob("", "multipart"), "d")).toThrow(
      'd.dimensionality: expected multipart, got string "single"',
    );
  });
});

describe("unions", () => {
  it("stores the first variant the value fits, as flytekit does", () => {
    const t = types.union(types.float(), types.integer());
    const l = toLiteral(7, t);
    const sv = l.value.case === "scalar" ? l.value.value.value : undefined;
    expect(sv?.case).toBe("union");
    if (sv?.case !== "union") return;
    expect(equals(core.LiteralTypeSchema, sv.value.type as core.LiteralType, types.float())).toBe(true);
    expect(fromLiteral(l, t)).toBe(7);
  });

  it("keeps the variant's structure tag in the stored type", () => {
    const tagged = types.tagged(types.string(), "str");
    const l = toLiteral("x", types.union(types.integer(), tagged));
    const sv = l.value.case === "scalar" ? l.value.value.value : undefined;
    expect(sv?.case === "union" && sv.value.type?.structure?.tag).toBe("str");
  });

  it("reads a union literal by its stored variant's tag, as flytekit does", () => {
    const t = types.union(types.tagged(types.string(), "a"), types.tagged(types.string(), "b"));
    const l = lit.union(lit.string("x"), types.tagged(types.string(), "b"));
    expect(fromLiteral(l, t)).toBe("x");
    const unknownTag = lit.union(lit.string("x"), types.tagged(types.string(), "zzz"));
    expect(() => fromLiteral(unknownTag, t, {}, "u")).toThrow(/u: expected union<string, string>, got union literal \(string\) string literal "x" tagged "zzz"/);
  });

  it("checks a union literal read into a plain type against that type", () => {
    const l = lit.union(lit.string("abc"), types.string());
    expect(fromLiteral(l, types.string())).toBe("abc");
    expect(() => fromLiteral(l, types.integer(), {}, "n")).toThrow('n: expected integer, got string literal "abc"');
  });

  it("reads a bare literal bound to a union type", () => {
    expect(fromLiteral(lit.string("s"), types.optional(types.string()))).toBe("s");
    expect(fromLiteral(lit.none(), types.optional(types.string()))).toBe(null);
  });

  it("names all variants when nothing fits", () => {
    expect(() => toLiteral(true, types.union(types.integer(), types.string()))).toThrow(
      "expected union<integer, string>, got boolean true",
    );
  });
});

describe("errors name the path and the problem", () => {
  const rows = types.list(types.map(types.integer()));
  it("reports a wrong value deep in a collection", () => {
    expect(() => toLiteral([{ a: 1 }, { a: 2, name: "abc" }], rows, "x")).toThrow(
      'x[1].name: expected integer, got string "abc"',
    );
  });
  it("quotes map keys that are not identifiers", () => {
    expect(() => toLiteral({ "my key": "v" }, types.map(types.integer()), "m")).toThrow(
      'm["my key"]: expected integer, got string "v"',
    );
  });
  it("rejects a float for an integer and a lossy number", () => {
    expect(() => toLiteral(1.5, types.integer(), "n")).toThrow("n: expected integer, got float 1.5");
    expect(() => toLiteral(2 ** 60, types.integer(), "n")).toThrow(/n: integer .* pass a bigint/);
  });
  it("rejects a value outside the enum", () => {
    expect(() => toLiteral("blue", types.enumOf(["red"]), "c")).toThrow('c: "blue" is not one of the enum values [red]');
  });
  it("rejects non-JSON struct contents", () => {
    expect(() => toLiteral({ a: { when: new Date(0) } }, types.struct(), "s")).toThrow(/s\.a\.when: struct values must be JSON, got Date/);
    expect(() => toLiteral({ a: NaN }, types.struct(), "s")).toThrow(/s\.a: struct numbers must be finite/);
  });
  it("rejects class instances where a map is expected", () => {
    expect(() => toLiteral(new Map([["a", 1]]), types.map(types.integer()), "m")).toThrow("m: expected map<string, integer>, got Map instance");
  });
  it("rejects a literal of the wrong kind when reading", () => {
    expect(() => fromLiteral(lit.string("abc"), types.list(types.integer()), {}, "y")).toThrow(
      'y: expected list<integer>, got string literal "abc"',
    );
    expect(() => fromLiteral(lit.collection([lit.integer(1), lit.float(2)]), types.list(types.integer()), {}, "y")).toThrow(
      "y[1]: expected integer, got float literal 2.0",
    );
  });
  it("refuses an int64 beyond 2^53 unless bigint is requested", () => {
    expect(() => fromLiteral(lit.integer(2n ** 60n), types.integer(), {}, "big")).toThrow(/big: integer 1152921504606846976 is beyond/);
  });
  it("refuses offloaded literals and types without a kind", () => {
    expect(() => fromLiteral(lit.offloaded("s3://o", 1, types.integer()), types.integer())).toThrow(/offloaded to s3:\/\/o/);
    expect(() => toLiteral(1, create(core.LiteralTypeSchema))).toThrow(/no kind set/);
  });
  it("throws LiteralValueError with a code and path", () => {
    try {
      toLiteral("x", types.integer(), "p");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LiteralValueError);
      expect((e as LiteralValueError).code).toBe("INVALID_LITERAL_VALUE");
      expect((e as LiteralValueError).path).toBe("p");
    }
  });
});

describe("flytekit msgpack structs", () => {
  const payload = Uint8Array.from(Buffer.from("82a46e616d65a6426f6e6e6965a2696403", "hex"));
  it("reads a dataclass written as msgpack Binary", () => {
    expect(fromLiteral(lit.binary(payload, "msgpack"), types.struct())).toEqual({ name: "Bonnie", id: 3 });
  });
  it("names the path when the payload is not a msgpack map", () => {
    expect(() => fromLiteral(lit.binary(Uint8Array.of(0x93, 1, 2, 3), "msgpack"), types.struct(), {}, "cfg")).toThrow(
      "cfg: expected a msgpack map for struct, got array (3 items)",
    );
    expect(() => fromLiteral(lit.binary(Uint8Array.of(0xc1), "msgpack"), types.struct(), {}, "cfg")).toThrow(/cfg: struct: invalid msgpack/);
  });
  it("does not read untagged binaries as structs", () => {
    expect(() => fromLiteral(lit.binary(payload), types.struct(), {}, "cfg")).toThrow(/cfg: expected struct, got binary literal/);
  });
});

describe("literal maps", () => {
  const vars = { n: types.integer(), names: types.list(types.string()) };
  it("converts records both ways", () => {
    const m = toLiteralMap({ n: 3, names: ["a", "b"] }, vars);
    expect(fromLiteralMap(m, vars)).toEqual({ n: 3, names: ["a", "b"] });
  });
  it("accepts a VariableMap for types", () => {
    const vm = create(core.VariableMapSchema, {
      variables: { n: create(core.VariableSchema, { type: types.integer() }) },
    });
    expect(fromLiteralMap(toLiteralMap({ n: 1 }, vm), vm)).toEqual({ n: 1 });
  });
  it("rejects unknown names and names the variable in value errors", () => {
    expect(() => toLiteralMap({ m: 1 }, vars)).toThrow("m: no such variable (known: n, names)");
    expect(() => toLiteralMap({ names: ["a", 2] }, vars)).toThrow("names[1]: expected string, got integer 2");
  });
});
