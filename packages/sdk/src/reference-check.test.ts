import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core, types } from "@aloft/idl";
import { interfaceMismatches, registeredFromLaunchPlan, registeredFromTyped } from "./reference-check.ts";
import { typedInterface } from "./serialize/task-parts.ts";
import { t } from "./types/t.ts";

const registered = typedInterface({ a: t.int(), b: t.list(t.string()) }, { o0: t.float() });

describe("interfaceMismatches", () => {
  it("accepts the same interface", () => {
    expect(interfaceMismatches(typedInterface({ a: t.int(), b: t.list(t.string()) }, { o0: t.float() }), registeredFromTyped(registered))).toEqual([]);
  });

  it("names each input and output that differs", () => {
    const declared = typedInterface({ a: t.float(), c: t.string() }, { o0: t.int(), o1: t.string() });
    expect(interfaceMismatches(declared, registeredFromTyped(registered))).toEqual([
      'input "a" is declared as float but registered as integer',
      'input "c" is declared but the registered interface has no such input (inputs: a, b)',
      'input "b" (list<string>) is required by the registered interface but not declared',
      'output "o0" is declared as integer but registered as float',
      'output "o1" is declared but the registered interface has no such output (outputs: o0)',
    ]);
  });

  it("lets a declaration leave out launch-plan inputs that have defaults, not required ones", () => {
    const p = (type: core.LiteralType, required: boolean) =>
      create(core.ParameterSchema, {
        var: create(core.VariableSchema, { type }),
        behavior: required ? { case: "required", value: true } : { case: "default", value: create(core.LiteralSchema) },
      });
    const lp = registeredFromLaunchPlan(create(core.ParameterMapSchema, { parameters: { x: p(types.integer(), true), y: p(types.string(), false) } }), undefined);
    expect(interfaceMismatches(typedInterface({ x: t.int() }, {}), lp)).toEqual([]);
    expect(interfaceMismatches(typedInterface({ y: t.string() }, {}), lp)).toEqual(['input "x" (integer) is required by the registered interface but not declared']);
  });
});
