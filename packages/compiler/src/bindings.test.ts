import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { codes, compile, ids, int, list, map, messages, none, promise, str, task, taskNode, types as t, workflow } from "../test/builders.ts";

function oneNode(inputType: core.LiteralType, binding: core.BindingData, wfInputs: Record<string, core.LiteralType> = {}) {
  const consumer = task("consume", { x: inputType }, {});
  return compile(workflow("w", { inputs: wfInputs }, [taskNode("n0", "consume", { x: binding })]), [consumer]);
}

describe("binding resolution", () => {
  it("accepts an int constant for an int input and rejects it for a string input", () => {
    expect(codes(oneNode(t.integer(), int(3)))).toEqual([]);
    const r = oneNode(t.string(), int(3));
    expect(codes(r)).toEqual(["MismatchingTypes"]);
    expect(messages(r)).toContain("(type [integer]) doesn't match expected type [string]");
  });

  it("accepts a collection of ints for list<integer> and rejects one holding a string", () => {
    expect(codes(oneNode(t.list(t.integer()), list([int(1), int(2)])))).toEqual([]);
    expect(codes(oneNode(t.list(t.integer()), list([int(1), str("x")])))).toEqual(["MismatchingTypes"]);
  });

  it("rejects collection syntax for a scalar input", () => {
    expect(codes(oneNode(t.integer(), list([int(1)])))).toEqual(["MismatchingBindings"]);
  });

  it("accepts a map binding for map<string, integer> and rejects it for a list", () => {
    expect(codes(oneNode(t.map(t.integer()), map({ a: int(1) })))).toEqual([]);
    expect(codes(oneNode(t.list(t.integer()), map({ a: int(1) })))).toEqual(["MismatchingBindings"]);
  });

  it("collects promises nested in collections as edges", () => {
    const src = task("src", {}, { y: t.integer() });
    const consumer = task("consume", { x: t.list(t.integer()) }, {});
    const wf = workflow("w", {}, [taskNode("a", "src"), taskNode("b", "src"), taskNode("c", "consume", { x: list([promise("a", "y"), promise("b", "y")]) })]);
    const r = compile(wf, [src, consumer]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(ids(r.value.primary!.connections, "upstream", "c")).toEqual(["a", "b"]);
  });

  it("binds none to an optional input and rejects none for a plain one", () => {
    expect(codes(oneNode(t.optional(t.integer()), none()))).toEqual([]);
    expect(codes(oneNode(t.integer(), none()))).toEqual(["MismatchingTypes"]);
  });

  it("binds a collection to the one union variant it fits", () => {
    expect(codes(oneNode(t.union(t.list(t.integer()), t.string()), list([int(1)])))).toEqual([]);
  });

  it("rejects a collection that fits two union variants as ambiguous", () => {
    const r = oneNode(t.union(t.list(t.integer()), t.list(t.optional(t.integer()))), list([int(1)]));
    expect(codes(r)).toEqual(["AmbiguousBindingUnionValue"]);
  });

  it("rejects a collection that fits no union variant", () => {
    expect(codes(oneNode(t.union(t.integer(), t.string()), list([int(1)])))).toEqual(["IncompatibleBindingUnionValue"]);
  });

  it("accepts a listed enum value and rejects an unlisted one", () => {
    expect(codes(oneNode(t.enumOf(["red", "green"]), str("red")))).toEqual([]);
    const r = oneNode(t.enumOf(["red", "green"]), str("blue"));
    expect(codes(r)).toEqual(["IllegalEnumValue"]);
    expect(messages(r)).toContain("Received [blue]");
  });

  it("rejects a scalar without a value as unrecognised", () => {
    const empty = create(core.BindingDataSchema, { value: { case: "scalar", value: {} } });
    expect(codes(oneNode(t.integer(), empty))).toEqual(["UnrecognizedValue"]);
  });

  it("rejects a binding with no value", () => {
    expect(codes(oneNode(t.integer(), create(core.BindingDataSchema)))).toEqual(["MismatchingBindings"]);
  });

  it("follows an index into a collection output and rejects an index into a scalar", () => {
    const src = task("src", {}, { ys: t.list(t.integer()), y: t.integer() });
    const consumer = task("consume", { x: t.integer() }, {});
    const good = workflow("w", {}, [taskNode("a", "src"), taskNode("b", "consume", { x: promise("a", "[0].ys") })]);
    expect(codes(compile(good, [src, consumer]))).toEqual([]);
    const bad = workflow("w", {}, [taskNode("a", "src"), taskNode("b", "consume", { x: promise("a", "[0].y") })]);
    expect(codes(compile(bad, [src, consumer]))).toEqual(["MismatchingTypes"]);
  });

  it("rejects a promise variable that does not parse", () => {
    const src = task("src", {}, { y: t.integer() });
    const consumer = task("consume", { x: t.integer() }, {});
    const wf = workflow("w", {}, [taskNode("a", "src"), taskNode("b", "consume", { x: promise("a", "y.z") })]);
    expect(codes(compile(wf, [src, consumer]))).toEqual(["SyntaxError"]);
  });

  it("resolves attribute paths through maps, lists and dataclass fields", () => {
    const point = { ...t.struct(), structure: create(core.TypeStructureSchema, { dataclassType: { x: t.float(), tags: t.list(t.string()) } }) };
    const src = task("src", {}, { p: point, m: t.map(t.list(t.integer())) });
    const wantFloat = task("want_float", { v: t.float() }, {});
    const wantStr = task("want_str", { v: t.string() }, {});
    const wantInt = task("want_int", { v: t.integer() }, {});
    const wf = workflow("w", {}, [
      taskNode("a", "src"),
      taskNode("b", "want_float", { v: promise("a", "p", ["x"]) }),
      taskNode("c", "want_str", { v: promise("a", "p", ["tags", 0]) }),
      taskNode("d", "want_int", { v: promise("a", "m", ["k", 1]) }),
    ]);
    expect(codes(compile(wf, [src, wantFloat, wantStr, wantInt]))).toEqual([]);
    const missing = workflow("w", {}, [taskNode("a", "src"), taskNode("b", "want_float", { v: promise("a", "p", ["nope"]) })]);
    const r = compile(missing, [src, wantFloat]);
    expect(codes(r)).toEqual(["FieldNotFound"]);
    expect(messages(r)).toContain("doesn't have field [nope]");
    const wrongType = workflow("w", {}, [taskNode("a", "src"), taskNode("b", "want_str", { v: promise("a", "p", ["x"]) })]);
    expect(codes(compile(wrongType, [src, wantStr]))).toEqual(["MismatchingTypes"]);
  });

  it("does not mistake a prototype property name for a declared input", () => {
    const r = oneNode(t.integer(), int(1));
    expect(r.ok).toBe(true);
    const consumer = task("consume", { x: t.integer() }, {});
    const wf = workflow("w", {}, [taskNode("n0", "consume", { x: int(1), constructor: int(2) })]);
    expect(codes(compile(wf, [consumer]))).toEqual(["VariableNameNotFound"]);
  });

  it("binds a tagged union literal to the union variant with the same tag", () => {
    const unionLiteral = create(core.BindingDataSchema, {
      value: {
        case: "scalar",
        value: {
          value: {
            case: "union",
            value: {
              value: { value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "integer", value: 5n } } } } } },
              type: t.tagged(t.integer(), "int"),
            },
          },
        },
      },
    });
    const target = t.union(t.tagged(t.integer(), "int1"), t.tagged(t.string(), "str"), t.tagged(t.integer(), "int"));
    expect(codes(oneNode(target, unionLiteral))).toEqual([]);
    const noMatch = t.union(t.tagged(t.integer(), "int1"), t.tagged(t.string(), "str"));
    expect(codes(oneNode(noMatch, unionLiteral))).toEqual(["MismatchingTypes"]);
  });

  it("rejects a promise that matches two union variants, naming both variables", () => {
    const src = task("src", {}, { out: t.integer() });
    const consumer = task("consume", { x: t.union(t.tagged(t.integer(), "a"), t.tagged(t.integer(), "b")) }, {});
    const n = taskNode("n", "consume", { x: promise("src", "out") });
    n.metadata = create(core.NodeMetadataSchema, { name: "n" });
    const up = taskNode("src", "src");
    up.metadata = create(core.NodeMetadataSchema, { name: "n2" });
    const r = compile(workflow("w", {}, [up, n]), [src, consumer]);
    expect(codes(r)).toEqual(["MismatchingTypes"]);
    expect(messages(r)).toContain("The output variable 'n2.out' has type [integer], but it's assigned to the input variable 'n.x'");
  });

  it("rejects a list of ints bound to a list of unions none of whose variants fit", () => {
    expect(codes(oneNode(t.list(t.union(t.string(), t.float())), list([int(1), int(2)])))).toEqual(["MismatchingTypes"]);
    expect(codes(oneNode(t.list(t.union(t.string(), t.integer())), list([int(1), int(2)])))).toEqual([]);
  });
});

describe("binding error texts (review against validators/bindings.go)", () => {
  it("words a mismatching promise as Flyte does, including its doubled 'type type'", () => {
    const up = task("up", {}, { o: t.integer() });
    const down = task("down", { n: t.string() }, {});
    const r = compile(workflow("w", {}, [taskNode("u", "up"), taskNode("d", "down", { n: promise("u", "o") })]), [up, down]);
    expect(messages(r)).toContain("assigned to the input variable 'n' which has type type [");
  });

  it("lists the allowed enum values the way Go prints a string slice", () => {
    const r = oneNode(create(core.LiteralTypeSchema, { type: { case: "enumType", value: { values: ["red", "green"] } } }), str("blue"));
    expect(messages(r)).toContain("is an Enum and expects value to be one of [[red green]].  Received [blue]");
  });

  it("names the Go type of a scalar it cannot type, as Flyte does", () => {
    const blob = create(core.BindingDataSchema, { value: { case: "scalar", value: { value: { case: "blob", value: { uri: "s3://x" } } } } });
    expect(messages(oneNode(t.integer(), blob))).toContain("Unrecognized value [*core.Scalar_Blob].");
  });

  it("names the Go type of a binding kind it does not accept, as Flyte does", () => {
    const offloaded = create(core.BindingDataSchema, { value: { case: "offloadedMetadata", value: {} } });
    expect(messages(oneNode(t.integer(), offloaded))).toContain("Received [*core.BindingData_OffloadedMetadata]");
  });
});
