// Pins how Flyte compiles sub-workflows: each workflow being compiled keeps its own record of the sub-workflows it has
// compiled, so a sub-workflow reached from two different workflows is compiled once per workflow, in place.
import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { codes, compile, ids, promise, task, taskNode, types as t, wfId, workflow } from "../test/builders.ts";

const square = task("square", { n: t.integer() }, { o: t.integer() });

function subNode(id: string, name: string, inputs: Record<string, core.BindingData> = {}): core.Node {
  const n = taskNode(id, "unused", inputs);
  n.target = { case: "workflowNode", value: create(core.WorkflowNodeSchema, { reference: { case: "subWorkflowRef", value: wfId(name) } }) };
  return n;
}

function branchOnA(id: string, then: core.Node, elseNode: core.Node): core.Node {
  const cond = create(core.BooleanExpressionSchema, {
    expr: {
      case: "comparison",
      value: {
        operator: core.ComparisonExpression_Operator.GT,
        leftValue: { val: { case: "var", value: "a" } },
        rightValue: { val: { case: "primitive", value: { value: { case: "integer", value: 1n } } } },
      },
    },
  });
  const n = taskNode(id, "unused", { a: promise("", "a") });
  n.target = {
    case: "branchNode",
    value: create(core.BranchNodeSchema, {
      ifElse: { case: { condition: cond, thenNode: then }, default: { case: "elseNode", value: elseNode } },
    }),
  };
  return n;
}

/** `inner` holds a branch; `middle` calls `inner`; the primary calls both `inner` and `middle`. */
function diamond() {
  const inner = workflow("inner", { inputs: { a: t.integer() }, outputs: { o: t.integer() } }, [
    branchOnA("b", taskNode("x", "square", { n: promise("", "a") }), taskNode("y", "square", { n: promise("", "a") })),
  ], { o: promise("b", "o") });
  const middle = workflow("middle", { inputs: { a: t.integer() }, outputs: { o: t.integer() } }, [subNode("m", "inner", { a: promise("", "a") })], {
    o: promise("m", "o"),
  });
  const primary = workflow("primary", { inputs: { a: t.integer() }, outputs: {} }, [
    subNode("n1", "inner", { a: promise("", "a") }),
    subNode("n2", "middle", { a: promise("", "a") }),
  ]);
  return { inner, middle, primary };
}

function branchOf(wf: core.CompiledWorkflow | undefined): core.IfElseBlock {
  const b = wf?.template?.nodes.find((n) => n.id === "b");
  if (b?.target.case !== "branchNode") throw new Error("no branch node b");
  return b.target.value.ifElse!;
}

describe("sub-workflows reached from several workflows", () => {
  it("compiles a sub-workflow again for each workflow that references it, renaming branch cases each time", () => {
    const { inner, middle, primary } = diamond();
    const r = compile(primary, [square], [inner, middle]);
    expect(codes(r)).toEqual([]);
    if (!r.ok) return;
    const compiledInner = r.value.subWorkflows.find((s) => s.template?.id?.name === "inner");
    // Compiled by the primary (b-x) and again by `middle` (b-b-x): Flyte's compiled sub-workflow index is per workflow.
    expect(branchOf(compiledInner).case?.thenNode?.id).toBe("b-b-x");
    expect(branchOf(compiledInner).default.value).toMatchObject({ id: "b-b-y" });
    expect(ids(compiledInner?.connections, "upstream", "b-b-x")).toEqual(["start-node"]);
    expect(compiledInner?.connections?.upstream["b-x"]).toBeUndefined();
    // The sentinel nodes of the first compilation are not added twice.
    expect(compiledInner?.template?.nodes.map((n) => n.id)).toEqual(["start-node", "end-node", "b"]);
  });

  it("compiles a sub-workflow used by two nodes of the same workflow only once", () => {
    const { inner } = diamond();
    const primary = workflow("primary", { inputs: { a: t.integer() }, outputs: {} }, [
      subNode("n1", "inner", { a: promise("", "a") }),
      subNode("n2", "inner", { a: promise("n1", "o") }),
    ]);
    const r = compile(primary, [square], [inner]);
    expect(codes(r)).toEqual([]);
    if (!r.ok) return;
    expect(branchOf(r.value.subWorkflows[0]).case?.thenNode?.id).toBe("b-x");
    expect(ids(r.value.subWorkflows[0]!.connections, "upstream", "b-x")).toEqual(["start-node"]);
  });

  it("leaves a sub-workflow that is only mapped by an array node uncompiled, as Flyte does", () => {
    const { inner } = diamond();
    const arr = taskNode("arr", "unused", { a: promise("", "a") });
    arr.target = { case: "arrayNode", value: create(core.ArrayNodeSchema, { node: subNode("arr-body", "inner") }) };
    const primary = workflow("primary", { inputs: { a: t.integer() }, outputs: {} }, [arr]);
    const r = compile(primary, [square], [inner]);
    expect(codes(r)).toEqual([]);
    if (!r.ok) return;
    expect(r.value.subWorkflows[0]!.connections).toBeUndefined();
    expect(branchOf(r.value.subWorkflows[0]).case?.thenNode?.id).toBe("x");
  });

  it("recompiles nested sub-workflows too: each compilation of a parent compiles its children afresh", () => {
    const { inner, middle } = diamond();
    // The primary reaches `middle` through two different workflows (`left` and `right`), so `middle` is compiled
    // twice, and each of those compiles `inner` again: two compilations of `inner`, two renames.
    const left = workflow("left", { inputs: { a: t.integer() }, outputs: {} }, [subNode("l", "middle", { a: promise("", "a") })]);
    const right = workflow("right", { inputs: { a: t.integer() }, outputs: {} }, [subNode("r", "middle", { a: promise("", "a") })]);
    const primary = workflow("primary", { inputs: { a: t.integer() }, outputs: {} }, [
      subNode("n1", "left", { a: promise("", "a") }),
      subNode("n2", "right", { a: promise("", "a") }),
    ]);
    const r = compile(primary, [square], [inner, middle, left, right]);
    expect(codes(r)).toEqual([]);
    if (!r.ok) return;
    const compiledInner = r.value.subWorkflows.find((s) => s.template?.id?.name === "inner");
    expect(branchOf(compiledInner).case?.thenNode?.id).toBe("b-b-x");
  });

  it("compiles an already compiled workflow again, passing over its start and end nodes as Flyte does", () => {
    const { inner } = diamond();
    const first = compile(inner, [square]);
    expect(codes(first)).toEqual([]);
    if (!first.ok) return;
    const again = compile(first.value.primary!.template!, [square]);
    expect(codes(again)).toEqual([]);
    if (!again.ok) return;
    expect(again.value.primary!.template!.nodes.map((n) => n.id)).toEqual(["start-node", "end-node", "b"]);
    expect(again.value.primary!.connections!.downstream).toEqual(first.value.primary!.connections!.downstream);
    expect(ids(again.value.primary!.connections, "upstream", "b-b-x")).toEqual(["start-node"]);
    expect(branchOf(again.value.primary).case?.thenNode?.id).toBe("b-b-x");
  });
});
