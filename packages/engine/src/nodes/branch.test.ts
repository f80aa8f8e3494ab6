import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core, types, lit } from "@aloft/idl";
import { bindings, closure, executionId, promise, scalarBinding, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { useEngines } from "../testing/engine.ts";
import { int, ints } from "../testing/values.ts";

const engineWith = useEngines();
const plus = task("plus", { x: types.integer() }, { o: types.integer() });
const minus = task("minus", { x: types.integer() }, { o: types.integer() });

function cmp(op: core.ComparisonExpression_Operator, varName: string, value: number): core.BooleanExpression {
  return create(core.BooleanExpressionSchema, {
    expr: { case: "comparison", value: { operator: op, leftValue: { val: { case: "var", value: varName } }, rightValue: { val: { case: "primitive", value: { value: { case: "integer", value: BigInt(value) } } } } } },
  });
}

function branchSpec(withElse: boolean): WorkflowSpec {
  const ifElse = create(core.IfElseBlockSchema, {
    case: { condition: cmp(core.ComparisonExpression_Operator.GT, "v", 10), thenNode: taskNode("big", plus, { x: promise("start-node", "a") }) },
    other: [{ condition: cmp(core.ComparisonExpression_Operator.LT, "v", 0), thenNode: taskNode("neg", minus, { x: promise("start-node", "a") }) }],
    default: withElse ? { case: "elseNode", value: taskNode("small", minus, { x: scalarBinding(lit.integer(100)) }) } : { case: "error", value: { failedNodeId: "b", message: "value out of range" } },
  });
  const b = create(core.NodeSchema, { id: "b", inputs: bindings({ v: promise("start-node", "a") }), target: { case: "branchNode", value: { ifElse } } });
  return { name: "branchy", inputs: { a: types.integer() }, outputs: { r: types.integer() }, nodes: [b], outputBindings: { r: promise("b", "o") } };
}

describe("branch node", () => {
  const fns = {
    plus: (i: core.LiteralMap) => ({ kind: "success" as const, outputs: ints({ o: int(i, "x") + 1 }) }),
    minus: (i: core.LiteralMap) => ({ kind: "success" as const, outputs: ints({ o: int(i, "x") - 1 }) }),
  };

  it.each([
    [20, 21],
    [-5, -6],
    [5, 99],
  ])("takes the first matching case for a=%i", async (a, expected) => {
    const { engine, plugin } = await engineWith(fns);
    const id = executionId(`branch${a}`);
    await engine.createExecution({ id, closure: closure(branchSpec(true), [plus, minus]), inputs: ints({ a }) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("SUCCEEDED");
    expect(int(r.outputs, "r")).toBe(expected);
    expect(plugin.calls).toHaveLength(1);
  });

  it("fails with the else-error message when nothing matches", async () => {
    const { engine } = await engineWith(fns);
    const id = executionId("branch-err");
    await engine.createExecution({ id, closure: closure(branchSpec(false), [plus, minus]), inputs: ints({ a: 5 }) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("FAILED");
    expect(r.error?.message).toBe("value out of range");
  });
});
