// The cache key's inputs hash is computed from the per-input digests; it must stay equal to
// hashLiteralMap (entries written before, the SDK's disk cache and Flyte's own keys depend on it).
import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core, hashLiteral, hashLiteralMap, lit, types } from "@aloft/idl";
import { task } from "../testing/closures.ts";
import { cacheKey } from "./key.ts";

const map = (literals: Record<string, core.Literal>) => create(core.LiteralMapSchema, { literals });

describe("cache key", () => {
  const cases: Array<[string, core.LiteralMap, string[]]> = [
    ["empty", map({}), []],
    ["one integer", map({ x: lit.integer(1) }), []],
    ["several, unordered", map({ z: lit.string("a"), a: lit.float(1.5), m: lit.boolean(true) }), []],
    ["nested", map({ xs: lit.collection([lit.integer(1), lit.collection([lit.string("q")])]), x: lit.integer(2) }), []],
    ["with a hash override", map({ f: create(core.LiteralSchema, { hash: "abc", value: lit.integer(9).value }), x: lit.integer(2) }), []],
    ["ignored inputs", map({ x: lit.integer(1), seed: lit.integer(7) }), ["seed"]],
    ["all ignored", map({ seed: lit.integer(7) }), ["seed"]],
  ];
  for (const [name, inputs, ignored] of cases) {
    it(`hashes inputs as hashLiteralMap does: ${name}`, () => {
      const t = task("k", {}, { o: types.integer() }, { discoverable: true, discoveryVersion: "1", cacheIgnoreInputVars: ignored });
      const key = cacheKey(t, inputs);
      expect(key.inputs).toBe(hashLiteralMap(inputs, ignored));
      for (const [k, l] of Object.entries(inputs.literals)) {
        if (ignored.includes(k)) expect(key.inputHashes[k]).toBeUndefined();
        else expect(key.inputHashes[k]).toBe(hashLiteral(l));
      }
    });
  }
});
