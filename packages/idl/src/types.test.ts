import { describe, expect, it } from "vitest";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { LiteralTypeSchema, SimpleType } from "../gen/flyteidl_core.js";
import { formatLiteralType, types } from "./types.ts";

describe("types builders", () => {
  it("builds simple types with the matching SimpleType", () => {
    expect(types.integer().type).toEqual({ case: "simple", value: SimpleType.INTEGER });
    expect(types.none().type).toEqual({ case: "simple", value: SimpleType.NONE });
    expect(types.struct().type).toEqual({ case: "simple", value: SimpleType.STRUCT });
  });

  it("keeps a struct's JSON schema in metadata", () => {
    const t = types.struct({ type: "object", properties: { a: { type: "integer" } } });
    expect(t.metadata).toEqual({ type: "object", properties: { a: { type: "integer" } } });
  });

  it("builds an optional as a union with none", () => {
    const t = types.optional(types.integer());
    expect(t.type.case).toBe("unionType");
    expect(formatLiteralType(t)).toBe("union<integer, none>");
  });

  it("round-trips nested builders through the binary encoding", () => {
    const t = types.map(types.list(types.blob("csv", "multipart")));
    const back = fromBinary(LiteralTypeSchema, toBinary(LiteralTypeSchema, t));
    expect(formatLiteralType(back)).toBe("map<string, list<blob(csv, multipart)>>");
  });

  it("tags a copy without changing the original", () => {
    const base = types.integer();
    const t = types.tagged(base, "int");
    expect(t.structure?.tag).toBe("int");
    expect(base.structure).toBeUndefined();
  });
});

describe("formatLiteralType", () => {
  const cases: [string, ReturnType<typeof types.integer>, string][] = [
    ["integer", types.integer(), "integer"],
    ["list", types.list(types.string()), "list<string>"],
    ["map", types.map(types.float()), "map<string, float>"],
    ["union", types.union(types.integer(), types.none()), "union<integer, none>"],
    ["blob", types.blob("csv", "single"), "blob(csv, single)"],
    ["generic blob", types.blob(), "blob(*, single)"],
    ["enum", types.enumOf(["a", "b"]), "enum{a,b}"],
    ["dataset", types.structuredDataset("parquet"), "structured_dataset(parquet)"],
    [
      "dataset with columns",
      types.structuredDataset("parquet", { x: types.integer() }),
      "structured_dataset(parquet, {x: integer})",
    ],
    ["schema", types.schema({ a: "float" }), "schema{a: float}"],
    ["struct", types.struct(), "struct"],
  ];
  for (const [name, t, want] of cases) {
    it(`prints ${name} as ${want}`, () => expect(formatLiteralType(t)).toBe(want));
  }

  it("prints an unset type without throwing", () => {
    expect(formatLiteralType(undefined)).toBe("<unset>");
    expect(formatLiteralType(create(LiteralTypeSchema))).toBe("<unset>");
  });

  it("prints an out-of-range simple type as unknown", () => {
    const t = create(LiteralTypeSchema, { type: { case: "simple", value: 42 as SimpleType } });
    expect(formatLiteralType(t)).toBe("<unknown simple 42>");
  });
});
