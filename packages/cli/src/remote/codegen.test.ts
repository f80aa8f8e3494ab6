import { describe, expect, it } from "vitest";
import { create, equals } from "@bufbuild/protobuf";
import { core, formatLiteralType } from "@aloft/idl";
import { t, type Schema } from "@aloft/sdk";
import { declaration, exportNameOf, schemaExpr } from "./codegen.ts";

// The generated expression, evaluated against the real `t`, must declare the very type it was generated from.
const roundTrip = (s: Schema<unknown>) => {
  const expr = schemaExpr(s.literalType(), "x");
  const back = (new Function("t", `return ${expr.replace(/ as const/g, "")}`) as (x: typeof t) => Schema<unknown>)(t);
  return { expr, same: equals(core.LiteralTypeSchema, back.literalType(), s.literalType()) };
};

describe("codegen", () => {
  it.each([
    ["int", t.int()], ["float", t.float()], ["string", t.string()], ["bool", t.bool()], ["datetime", t.datetime()],
    ["duration", t.duration()], ["list of maps", t.list(t.map(t.float()))], ["optional", t.optional(t.string())],
    ["union", t.union(t.int(), t.string())], ["file", t.file("csv")], ["directory", t.directory()],
    ["enum", t.enum(["a", "b"])], ["dataframe", t.dataframe()],
    ["struct", t.struct({ name: t.string(), n: t.int(), tags: t.list(t.string()), note: t.optional(t.string()) }, { name: "Row" })],
  ] as [string, Schema<unknown>][])("writes %s as the t.* expression that declares it", (_, s) => {
    const r = roundTrip(s);
    expect(r.same, `${r.expr} for ${formatLiteralType(s.literalType())}`).toBe(true);
  });

  it("names the field whose type has no TypeScript form", () => {
    expect(() => schemaExpr(create(core.LiteralTypeSchema), 'input "x"')).toThrow(/input "x": type <unset> has no TypeScript form/);
  });

  it("writes a module with the identifier and a single output as one schema", () => {
    const id = { project: "p", domain: "d", name: "pkg.mod.add_one", version: "v1" } as core.Identifier;
    const text = declaration({ kind: "task", id, inputs: { a: t.int().literalType() }, outputs: { o0: t.int().literalType() } });
    expect(text).toContain('export const add_one = referenceTask({');
    expect(text).toContain("inputs: { a: t.int() },\n  outputs: t.int(),");
    expect(exportNameOf("x.1st")).toBe("_1st");
  });
});
