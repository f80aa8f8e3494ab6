import { describe, expect, it } from "vitest";
import type { JsonObject } from "@bufbuild/protobuf";
import { types } from "@aloft/idl";
import { areTypesCastable } from "./castability.ts";
import { isSubschema, jsonEqual } from "./json-schema.ts";

// Schemas as mashumaro emits them for: @dataclass class A: a: int; @dataclass class B(A): b: Optional[str] = None
const parent: JsonObject = {
  title: "A",
  type: "object",
  required: ["a"],
  properties: { a: { type: "integer" } },
  additionalProperties: false,
};
const child: JsonObject = {
  title: "B",
  type: "object",
  required: ["a", "b"],
  properties: { a: { type: "integer" }, b: { default: null, anyOf: [{ type: "string" }, { type: "null" }] } },
  additionalProperties: false,
};

describe("struct schema compatibility", () => {
  it("accepts a child dataclass where its parent is expected", () => {
    expect(areTypesCastable(types.struct(child), types.struct(parent))).toBe(true);
  });

  it("rejects a parent dataclass where a child is expected", () => {
    expect(areTypesCastable(types.struct(parent), types.struct(child))).toBe(false);
  });

  it("accepts identical schemas regardless of key order", () => {
    const reordered: JsonObject = { properties: parent["properties"]!, type: "object", required: ["a"], additionalProperties: false, title: "A" };
    expect(jsonEqual(parent, reordered)).toBe(true);
    expect(areTypesCastable(types.struct(parent), types.struct(reordered))).toBe(true);
  });

  it("rejects a field whose type differs", () => {
    const other: JsonObject = { ...parent, properties: { a: { type: "string" } } };
    expect(isSubschema(other, parent)).toBe(false);
  });

  it("follows $ref into $defs on both sides", () => {
    const inner = { type: "object", required: ["x"], properties: { x: { type: "number" } } };
    const up: JsonObject = { type: "object", required: ["i"], properties: { i: { $ref: "#/$defs/I" } }, $defs: { I: inner } };
    const downBad: JsonObject = {
      type: "object",
      required: ["i"],
      properties: { i: { $ref: "#/$defs/J" } },
      $defs: { J: { type: "object", required: ["y"], properties: { y: { type: "number" } } } },
    };
    expect(isSubschema(up, { ...up, $defs: { I: { ...inner, title: "renamed" } } })).toBe(true);
    expect(isSubschema(up, downBad)).toBe(false);
  });

  it("rejects an unresolvable reference instead of guessing", () => {
    expect(isSubschema({ $ref: "#/$defs/Missing" }, { type: "object" })).toBe(false);
  });

  it("rejects a different two-level dataclass (Flyte's DiffDataclassTwoLevel case)", () => {
    const nested = (outer: string, field: string, inner: string, innerField: string, innerType: string): JsonObject => ({
      title: outer,
      type: "object",
      required: [field],
      properties: {
        [field]: { title: inner, type: "object", required: [innerField], properties: { [innerField]: { type: innerType } } },
      },
    });
    expect(areTypesCastable(types.struct(nested("B", "b", "A", "a", "integer")), types.struct(nested("D", "d", "C", "c", "string")))).toBe(false);
    expect(areTypesCastable(types.struct(nested("B", "b", "A", "a", "integer")), types.struct(nested("B", "b", "A", "a", "integer")))).toBe(true);
  });
});
