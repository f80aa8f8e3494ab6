import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { bindings, codes, compile, ids, int, messages, promise, task, taskNode, types as t, workflow } from "../test/builders.ts";

const square = task("square", { n: t.integer() }, { o: t.integer() });
const double = task("double", { n: t.integer() }, { o: t.integer() });
const toStr = task("to_str", { n: t.integer() }, { o: t.string() });

function varOp(name: string): core.Operand {
  return create(core.OperandSchema, { val: { case: "var", value: name } });
}
function intOp(n: number): core.Operand {
  return create(core.OperandSchema, { val: { case: "primitive", value: { value: { case: "integer", value: BigInt(n) } } } });
}
function floatOp(n: number): core.Operand {
  return create(core.OperandSchema, { val: { case: "primitive", value: { value: { case: "floatValue", value: n } } } });
}
function cmp(left: core.Operand, right: core.Operand, op = core.ComparisonExpression_Operator.EQ): core.BooleanExpression {
  return create(core.BooleanExpressionSchema, { expr: { case: "comparison", value: { leftValue: left, rightValue: right, operator: op } } });
}
function and(l: core.BooleanExpression, r: core.BooleanExpression): core.BooleanExpression {
  return create(core.BooleanExpressionSchema, {
    expr: { case: "conjunction", value: { leftExpression: l, rightExpression: r, operator: core.ConjunctionExpression_LogicalOperator.AND } },
  });
}

interface BranchOpts {
  condition?: core.BooleanExpression | undefined;
  others?: { condition?: core.BooleanExpression; then: core.Node }[];
  elseNode?: core.Node;
  error?: boolean;
  inputs?: Record<string, core.BindingData>;
}

function branchNode(id: string, then: core.Node | undefined, o: BranchOpts = {}): core.Node {
  const ifElse = create(core.IfElseBlockSchema, {
    case: { condition: o.condition, thenNode: then },
    other: (o.others ?? []).map((x) => ({ condition: x.condition, thenNode: x.then })),
  });
  if (o.elseNode) ifElse.default = { case: "elseNode", value: o.elseNode };
  else if (o.error) ifElse.default = { case: "error", value: create(core.ErrorSchema, { failedNodeId: id, message: "no branch" }) };
  return create(core.NodeSchema, { id, inputs: bindings(o.inputs ?? {}), target: { case: "branchNode", value: { ifElse } } });
}

function wfWith(node: core.Node, outputs: Record<string, core.BindingData> = {}, outTypes: Record<string, core.LiteralType> = {}) {
  return workflow("w", { inputs: { a: t.integer() }, outputs: outTypes }, [node], outputs);
}

describe("branch nodes", () => {
  it("compiles if/else on a workflow input, renames inner nodes and records their upstream edges", () => {
    const node = branchNode("b", taskNode("sq", "square", { n: promise("", "a") }), {
      condition: cmp(varOp("a"), intOp(1)),
      elseNode: taskNode("db", "double", { n: promise("", "a") }),
      inputs: { a: promise("", "a") },
    });
    const r = compile(wfWith(node, { o: promise("b", "o") }, { o: t.integer() }), [square, double]);
    expect(codes(r)).toEqual([]);
    if (!r.ok) return;
    const compiled = r.value.primary!.template!.nodes[2]!;
    const ifElse = compiled.target.case === "branchNode" ? compiled.target.value.ifElse : undefined;
    expect(ifElse?.case?.thenNode?.id).toBe("b-sq");
    expect(ifElse?.default.case === "elseNode" && ifElse.default.value.id).toBe("b-db");
    expect(ids(r.value.primary!.connections, "upstream", "b-sq")).toEqual(["start-node"]);
    expect(ids(r.value.primary!.connections, "upstream", "end-node")).toEqual(["b"]);
  });

  it("accepts a default error instead of an else node", () => {
    const node = branchNode("b", taskNode("sq", "square", { n: int(2) }), { condition: cmp(varOp("a"), intOp(1)), error: true, inputs: { a: promise("", "a") } });
    expect(codes(compile(wfWith(node), [square]))).toEqual([]);
  });

  it("rejects a branch with neither else node nor default error", () => {
    const node = branchNode("b", taskNode("sq", "square", { n: int(2) }), { condition: cmp(varOp("a"), intOp(1)), inputs: { a: promise("", "a") } });
    expect(codes(compile(wfWith(node), [square]))).toEqual(["BranchNodeHasNoDefault"]);
  });

  it("rejects a case without a condition", () => {
    const node = branchNode("b", taskNode("sq", "square", { n: int(2) }), { error: true });
    expect(codes(compile(wfWith(node), [square]))).toEqual(["BranchNodeHasNoCondition"]);
  });

  it("rejects a branch without a case", () => {
    const node = branchNode("b", undefined, { error: true });
    expect(codes(compile(wfWith(node), [square]))).toContain("ValueRequired");
  });

  it("rejects a comparison between an integer input and a float constant", () => {
    const node = branchNode("b", taskNode("sq", "square", { n: int(2) }), { condition: cmp(varOp("a"), floatOp(1.5)), error: true, inputs: { a: promise("", "a") } });
    const r = compile(wfWith(node), [square]);
    expect(codes(r)).toEqual(["MismatchingTypes"]);
    expect(messages(r)).toContain("[float]");
  });

  it("rejects a condition on a variable the branch does not bind", () => {
    const node = branchNode("b", taskNode("sq", "square", { n: int(2) }), { condition: cmp(varOp("zzz"), intOp(1)), error: true, inputs: { a: promise("", "a") } });
    expect(codes(compile(wfWith(node), [square]))).toEqual(["VariableNameNotFound"]);
  });

  it("checks both sides of a conjunction", () => {
    const good = and(cmp(varOp("a"), intOp(1)), cmp(varOp("a"), intOp(5), core.ComparisonExpression_Operator.LT));
    const bad = and(cmp(varOp("a"), intOp(1)), cmp(varOp("a"), floatOp(5)));
    const mk = (c: core.BooleanExpression) => branchNode("b", taskNode("sq", "square", { n: int(2) }), { condition: c, error: true, inputs: { a: promise("", "a") } });
    expect(codes(compile(wfWith(mk(good)), [square]))).toEqual([]);
    expect(codes(compile(wfWith(mk(bad)), [square]))).toEqual(["MismatchingTypes"]);
  });

  it("rejects cases whose shared outputs have different types", () => {
    const node = branchNode("b", taskNode("sq", "square", { n: int(1) }), {
      condition: cmp(varOp("a"), intOp(1)),
      elseNode: taskNode("s", "to_str", { n: int(1) }),
      inputs: { a: promise("", "a") },
    });
    const r = compile(wfWith(node), [square, toStr]);
    // As in Flyte, the branch then has no interface, so its condition and edges fail too.
    expect(codes(r)).toContain("MismatchingTypes");
    expect(r.ok || r.errors.find((e) => e.code === "MismatchingTypes")!.nodeId).toBe("b-s");
  });

  it("exposes only the outputs every case produces", () => {
    const pair = task("pair", { n: t.integer() }, { o: t.integer(), extra: t.integer() });
    const node = branchNode("b", taskNode("p", "pair", { n: int(1) }), {
      condition: cmp(varOp("a"), intOp(1)),
      elseNode: taskNode("sq", "square", { n: int(1) }),
      inputs: { a: promise("", "a") },
    });
    expect(codes(compile(wfWith(node, { o: promise("b", "o") }, { o: t.integer() }), [pair, square]))).toEqual([]);
    const r = compile(wfWith(node, { o: promise("b", "extra") }, { o: t.integer() }), [pair, square]);
    expect(codes(r)).toEqual(["ParameterNotBound", "VariableNameNotFound"]);
  });

  it("compiles nested branches with doubly prefixed inner ids", () => {
    const inner = branchNode("inner", taskNode("sq", "square", { n: promise("", "a") }), {
      condition: cmp(varOp("a"), intOp(2)),
      elseNode: taskNode("db", "double", { n: promise("", "a") }),
      inputs: { a: promise("", "a") },
    });
    const outer = branchNode("outer", inner, {
      condition: cmp(varOp("a"), intOp(1)),
      elseNode: taskNode("db", "double", { n: promise("", "a") }),
      inputs: { a: promise("", "a") },
    });
    const r = compile(wfWith(outer, { o: promise("outer", "o") }, { o: t.integer() }), [square, double]);
    expect(codes(r)).toEqual([]);
    if (!r.ok) return;
    const up = r.value.primary!.connections!.upstream;
    expect(Object.keys(up).sort()).toEqual(["end-node", "outer", "outer-db", "outer-inner", "outer-inner-db", "outer-inner-sq"]);
  });

  it("rejects a branch binding a node declared after it (Flyte validates in order)", () => {
    const src = task("src", {}, { y: t.integer() });
    const node = branchNode("b", taskNode("sq", "square", { n: int(1) }), { condition: cmp(varOp("y"), intOp(1)), error: true, inputs: { y: promise("later", "y") } });
    const wf = workflow("w", {}, [node, taskNode("later", "src")]);
    expect(codes(compile(wf, [square, src]))).toContain("NodeReferenceNotFound");
  });

  it("reports both missing operands of a comparison", () => {
    const missing = create(core.BooleanExpressionSchema, { expr: { case: "comparison", value: { operator: core.ComparisonExpression_Operator.GT } } });
    const node = branchNode("b", taskNode("sq", "square", { n: int(2) }), { condition: missing, error: true, inputs: { a: promise("", "a") } });
    const r = compile(wfWith(node), [square]);
    expect(codes(r)).toEqual(["ValueRequired", "ValueRequired"]);
    expect(messages(r)).toContain("[LeftValue]");
    expect(messages(r)).toContain("[RightValue]");
  });

  it("rejects a conjunction missing one side as having no condition", () => {
    const half = create(core.BooleanExpressionSchema, {
      expr: { case: "conjunction", value: { operator: core.ConjunctionExpression_LogicalOperator.AND, rightExpression: cmp(intOp(1), intOp(2)) } },
    });
    const node = branchNode("b", taskNode("sq", "square", { n: int(2) }), { condition: half, error: true, inputs: { a: promise("", "a") } });
    expect(codes(compile(wfWith(node), [square]))).toEqual(["BranchNodeHasNoCondition"]);
  });
});
