import { describe, expect, it } from "vitest";
import { core, formatLiteralType, types as t } from "@aloft/idl";
import { areTypesCastable } from "./castability.ts";

type Row = [upstream: core.LiteralType, downstream: core.LiteralType, castable: boolean, why: string];

const withMeta = (x: core.LiteralType) => ({ ...x, metadata: { any: "thing" } });
const sd = t.structuredDataset;

// Flyte's rules from typing.go, one row per rule, accepted and rejected cases side by side.
const table: Row[] = [
  [t.integer(), t.integer(), true, "same simple type"],
  [t.integer(), t.float(), false, "no numeric widening"],
  [t.float(), t.integer(), false, "no numeric narrowing"],
  [t.none(), t.integer(), false, "non-optional types are not nullable"],
  [withMeta(t.integer()), t.integer(), true, "metadata is ignored"],
  [t.none(), t.none(), true, "none to none"],
  [t.integer(), t.none(), false, "only none casts to none"],
  [t.enumOf(["a", "b"]), t.string(), true, "an enum is a string"],
  [t.string(), t.enumOf(["a", "b"]), true, "a string may become an enum (checked at run time)"],
  [t.enumOf(["a", "b"]), t.enumOf(["a", "b"]), true, "identical enums"],
  [t.enumOf(["a", "b"]), t.enumOf(["a", "c"]), false, "different enums"],
  [t.tagged(t.integer(), "x"), t.tagged(t.integer(), "y"), false, "structure tags must match"],
  [t.integer(), t.tagged(t.integer(), "y"), true, "an untagged upstream ignores the tag"],
  [t.string(), t.union(t.string(), t.integer()), true, "a value selects exactly one union variant"],
  [t.string(), t.union(t.string(), t.string()), false, "two matching variants are ambiguous"],
  [t.float(), t.union(t.string(), t.integer()), false, "no matching variant"],
  [t.union(t.integer(), t.string()), t.union(t.string(), t.integer(), t.none()), true, "union into a superset union"],
  [t.union(t.integer(), t.float()), t.union(t.integer(), t.string()), false, "union into a union missing a variant"],
  [
    t.union(t.tagged(t.integer(), "int"), t.tagged(t.string(), "str")),
    t.union(t.tagged(t.integer(), "int"), t.tagged(t.string(), "text")),
    false,
    "union variants must agree on tags",
  ],
  [t.union(t.integer()), t.integer(), true, "a single-variant union is its variant"],
  [t.optional(t.integer()), t.integer(), false, "an optional is not its value type"],
  [t.list(t.integer()), t.list(t.integer()), true, "same collections"],
  [t.list(t.none()), t.list(t.integer()), true, "an empty collection fits any collection"],
  [t.list(t.integer()), t.list(t.float()), false, "collection element types must cast"],
  [t.list(t.integer()), t.integer(), false, "a collection is not a scalar"],
  [t.list(t.integer()), t.list(t.list(t.integer())), false, "nesting levels must match"],
  [t.none(), t.list(t.integer()), false, "collections are not nullable"],
  [t.map(t.integer()), t.map(t.integer()), true, "same maps"],
  [t.map(t.integer()), t.map(t.float()), false, "map value types must cast"],
  [t.map(t.none()), t.map(t.float()), true, "an empty map fits any map"],
  [t.map(t.integer()), t.integer(), false, "a map is not a scalar"],
  [t.map(t.integer()), t.map(t.map(t.integer())), false, "map nesting must match"],
  [t.blob(), t.blob(), true, "generic blobs"],
  [t.blob("csv"), t.blob(), true, "a formatted blob into a generic one"],
  [t.blob(), t.blob("csv"), true, "a generic blob into a formatted one"],
  [t.blob("csv"), t.blob("pdf"), false, "blob formats must match"],
  [t.blob("csv", "single"), t.blob("csv", "multipart"), true, "dimensionality is not compared (as in Flyte)"],
  [t.none(), t.blob(), false, "blobs are not nullable"],
  [t.schema(), t.schema(), true, "generic schemas"],
  [t.schema(), t.schema({ a: "integer" }), true, "generic schema into a typed one"],
  [t.schema({ a: "integer" }), t.schema(), true, "typed schema into a generic one"],
  [t.schema({ a: "integer", b: "float" }), t.schema({ a: "integer" }), true, "superset of columns into subset"],
  [t.schema({ a: "integer" }), t.schema({ a: "integer", b: "float" }), false, "subset of columns into superset"],
  [t.schema({ a: "integer" }), t.schema({ a: "float" }), false, "column types must match"],
  [sd(), t.schema({ a: "integer" }), true, "generic dataset into a typed schema"],
  [sd("", { a: t.integer(), b: t.float() }), t.schema({ a: "integer" }), true, "dataset columns into schema columns"],
  [sd("csv"), t.schema(), false, "a schema is parquet"],
  [t.none(), t.schema(), false, "schemas are not nullable"],
  [sd(), sd(), true, "generic datasets"],
  [sd(), sd("", { a: t.integer() }), true, "generic dataset into typed"],
  [sd("", { a: t.integer(), b: t.list(t.integer()), c: t.map(t.string()) }), sd("", { a: t.integer(), b: t.list(t.integer()) }), true, "dataset column superset into subset"],
  [sd("", { a: t.integer() }), sd("", { a: t.integer(), b: t.float() }), false, "dataset column subset into superset"],
  [sd("", { a: t.integer() }), sd("", { a: t.float() }), false, "dataset column types must cast"],
  [t.schema({ a: "integer" }), sd("", { a: t.integer() }), true, "schema into dataset"],
  [t.schema({ a: "integer" }), sd("", { a: t.float() }), false, "schema column into mismatching dataset column"],
  [t.schema(), sd("csv"), false, "a schema only becomes a parquet dataset"],
  [sd("parquet"), sd(), true, "formatted dataset into generic"],
  [sd(), sd("parquet"), true, "generic dataset into formatted"],
  [sd("Parquet"), sd("parquet"), true, "formats compare case-insensitively"],
  [sd("csv"), sd("parquet"), false, "dataset formats must match"],
  [t.none(), sd(), true, "datasets are nullable"],
  [t.struct(), t.struct(), true, "structs without schemas"],
  [t.struct({ type: "object" }), t.struct(), true, "one schema missing: accepted for old flytekit"],
  [t.integer(), t.struct(), false, "a scalar is not a struct"],
];

describe("areTypesCastable", () => {
  for (const [up, down, want, why] of table) {
    it(`${want ? "accepts" : "rejects"} ${formatLiteralType(up)} -> ${formatLiteralType(down)}: ${why}`, () => {
      expect(areTypesCastable(up, down)).toBe(want);
    });
  }

  it("treats missing types as unset rather than throwing", () => {
    expect(areTypesCastable(undefined, undefined)).toBe(true);
    expect(areTypesCastable(t.integer(), undefined)).toBe(false);
    expect(areTypesCastable(undefined, t.list(t.integer()))).toBe(false);
  });
});
