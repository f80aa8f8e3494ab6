// Whole-closure expectations for small workflows of each node kind, worked out by following Flyte's Go compiler
// (workflow_compiler.go, validators/*) step by step: node order, renamed branch cases, sorted upstream ids and the
// exact connection maps, including the upstream-only edges of branch cases and failure nodes.
import { describe, expect, it } from "vitest";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { bindings, codes, compile, list, lpId, promise, task, taskNode, types as t, vars, workflow } from "../test/builders.ts";

function connections(c: core.ConnectionSet | undefined) {
  const side = (m: { [k: string]: core.ConnectionSet_IdList } = {}) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.ids]));
  return { upstream: side(c?.upstream), downstream: side(c?.downstream) };
}

function varEq(name: string, value: boolean): core.BooleanExpression {
  return create(core.BooleanExpressionSchema, {
    expr: {
      case: "comparison",
      value: { leftValue: { val: { case: "var", value: name } }, rightValue: { val: { case: "primitive", value: { value: { case: "boolean", value } } } } },
    },
  });
}

function branch(id: string, inputs: Record<string, core.BindingData>, cond: core.BooleanExpression, then: core.Node, elseNode: core.Node): core.Node {
  return create(core.NodeSchema, {
    id,
    inputs: bindings(inputs),
    target: { case: "branchNode", value: { ifElse: { case: { condition: cond, thenNode: then }, default: { case: "elseNode", value: elseNode } } } },
  });
}

function gate(id: string, condition: MessageInitShape<typeof core.GateNodeSchema>["condition"], inputs: Record<string, core.BindingData> = {}, upstream: string[] = []) {
  return create(core.NodeSchema, { id, inputs: bindings(inputs), upstreamNodeIds: upstream, target: { case: "gateNode", value: { condition } } });
}

const toss = task("toss", { seed: t.integer() }, { o0: t.boolean() });
const square = task("square", { n: t.float() }, { o0: t.float() });
const double = task("double", { n: t.float() }, { o0: t.float() });
const sum = task("sum", { a: t.float(), b: t.boolean() }, { o0: t.float() });

describe("closures Flyte would produce", () => {
  it("a branch whose outputs are consumed downstream, with a nested branch", () => {
    const nested = branch("n0", { "n0.o0": promise("n0", "o0") }, varEq("n0.o0", true),
      taskNode("n0", "square", { n: promise("", "x") }),
      taskNode("n1", "double", { n: promise("", "x") }));
    const wf = workflow("w", { inputs: { x: t.float(), seed: t.integer() }, outputs: { o0: t.float() } }, [
      taskNode("n0", "toss", { seed: promise("", "seed") }),
      branch("n1", { "n0.o0": promise("n0", "o0") }, varEq("n0.o0", false), nested, taskNode("n1", "double", { n: promise("", "x") })),
      taskNode("n2", "sum", { a: promise("n1", "o0"), b: promise("n0", "o0") }),
    ], { o0: promise("n2", "o0") });
    const r = compile(wf, [toss, square, double, sum]);
    expect(codes(r)).toEqual([]);
    if (!r.ok) return;
    const primary = r.value.primary!;
    expect(primary.template!.nodes.map((n) => n.id)).toEqual(["start-node", "end-node", "n0", "n1", "n2"]);
    const outer = primary.template!.nodes[3]!.target.value as core.BranchNode;
    const inner = outer.ifElse!.case!.thenNode!;
    expect(inner.id).toBe("n1-n0");
    expect(outer.ifElse!.default.value).toMatchObject({ id: "n1-n1" });
    const innerIfElse = (inner.target.value as core.BranchNode).ifElse!;
    expect([innerIfElse.case!.thenNode!.id, (innerIfElse.default.value as core.Node).id]).toEqual(["n1-n0-n0", "n1-n0-n1"]);
    // Promises on the workflow inputs name the start node once compiled.
    expect((innerIfElse.case!.thenNode!.inputs[0]!.binding!.value.value as core.OutputReference).nodeId).toBe("start-node");
    expect(connections(primary.connections)).toEqual({
      upstream: {
        "end-node": ["n2"],
        n0: ["start-node"],
        n1: ["n0"],
        "n1-n0": ["n0"],
        "n1-n0-n0": ["start-node"],
        "n1-n0-n1": ["start-node"],
        "n1-n1": ["start-node"],
        n2: ["n0", "n1"],
      },
      downstream: { "start-node": ["n0"], n0: ["n1", "n2"], n1: ["n2"], n2: ["end-node"] },
    });
    // The closure lists the given tasks, their interfaces untouched apart from filled-in maps.
    expect(r.value.tasks.map((x) => x.template!.id!.name)).toEqual(["toss", "square", "double", "sum"]);
  });

  it("a gate, a launch plan, an array node, a sleep with explicit dependencies and a failure node", () => {
    const cleanup = task("cleanup", { n: t.integer() }, {});
    const msq = task("msq", { n: t.list(t.integer()) }, { o: t.list(t.integer()) });
    const lp = {
      id: lpId("lp1"),
      expectedInputs: create(core.ParameterMapSchema, {
        parameters: {
          n: { var: { type: t.integer() }, behavior: { case: "required", value: true } },
          m: { var: { type: t.integer() }, behavior: { case: "default", value: { value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "integer", value: 1n } } } } } } } },
        },
      }),
      expectedOutputs: vars({ o: t.integer() }),
    };
    const lpNode = create(core.NodeSchema, {
      id: "lp",
      inputs: bindings({ n: promise("g", "x") }),
      target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: lpId("lp1") } } },
    });
    const arr = create(core.NodeSchema, {
      id: "arr",
      inputs: bindings({ n: list([promise("lp", "o")]) }),
      target: { case: "arrayNode", value: { node: taskNode("arr-body", "msq"), parallelismOption: { case: "parallelism", value: 2 } } },
    });
    const wf = workflow("w", { inputs: { a: t.integer() }, outputs: { r: t.integer() } }, [
      gate("g", { case: "approve", value: { signalId: "ok" } }, { x: promise("", "a") }),
      lpNode,
      arr,
      gate("s", { case: "sleep", value: { duration: { seconds: 5n } } }, {}, ["lp", "g"]),
    ], { r: promise("lp", "o") });
    wf.failureNode = taskNode("fn", "cleanup", { n: promise("", "a") }, ["s", "g"]);
    const r = compile(wf, [cleanup, msq], [], [lp]);
    expect(codes(r)).toEqual([]);
    if (!r.ok) return;
    const primary = r.value.primary!;
    expect(primary.template!.nodes.map((n) => n.id)).toEqual(["start-node", "end-node", "g", "lp", "arr", "s"]);
    expect(primary.template!.nodes[5]!.upstreamNodeIds).toEqual(["g", "lp"]);
    expect(primary.template!.failureNode!.upstreamNodeIds).toEqual(["g", "s"]);
    expect(connections(primary.connections)).toEqual({
      upstream: {
        arr: ["lp"],
        "end-node": ["arr", "lp", "s"],
        fn: ["start-node"],
        g: ["start-node"],
        lp: ["g"],
        s: ["g", "lp"],
      },
      downstream: { "start-node": ["g"], g: ["lp", "s"], lp: ["arr", "end-node", "s"], arr: ["end-node"], s: ["end-node"] },
    });
    // The array node keeps its fields; its body is neither renamed nor given sorted ids or rewritten promises.
    const a = primary.template!.nodes[4]!.target.value as core.ArrayNode;
    expect(a.parallelismOption).toEqual({ case: "parallelism", value: 2 });
    expect(a.node!.id).toBe("arr-body");
  });

  it("fills in the missing input/output maps of referenced tasks' interfaces in the closure, and only theirs", () => {
    const noOutputs = task("no_outputs", { n: t.integer() }, {});
    noOutputs.template!.interface!.outputs = undefined;
    const noIface = task("no_iface");
    noIface.template!.interface = undefined;
    const unused = task("unused", { n: t.integer() }, {});
    unused.template!.interface!.outputs = undefined;
    const wf = workflow("w", { inputs: { a: t.integer() } }, [taskNode("x", "no_outputs", { n: promise("", "a") }), taskNode("y", "no_iface")]);
    const r = compile(wf, [noOutputs, noIface, unused]);
    expect(codes(r)).toEqual([]);
    if (!r.ok) return;
    const byName = (name: string) => r.value.tasks.find((x) => x.template!.id!.name === name)!.template!;
    // ValidateInterface fills the maps in place on the task's own interface; a task without one gets a fresh one.
    expect(byName("no_outputs").interface!.outputs).toEqual(create(core.VariableMapSchema));
    expect(byName("no_iface").interface).toBeUndefined();
    expect(byName("unused").interface!.outputs).toBeUndefined();
    // The caller's messages are not touched.
    expect(noOutputs.template!.interface!.outputs).toBeUndefined();
  });
});
