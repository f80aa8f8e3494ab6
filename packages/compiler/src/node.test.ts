import { describe, expect, it } from "vitest";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { bindings, codes, compile, ids, int, lpId, messages, promise, task, taskNode, types as t, vars, workflow, wfId } from "../test/builders.ts";
import type { LaunchPlanInterface } from "./builder.ts";

const inc = task("inc", { x: t.integer() }, { y: t.integer() });

function gate(id: string, condition: MessageInitShape<typeof core.GateNodeSchema>["condition"], inputs: Record<string, core.BindingData> = {}): core.Node {
  return create(core.NodeSchema, { id, inputs: bindings(inputs), target: { case: "gateNode", value: { condition } } });
}

function subNode(id: string, name: string, inputs: Record<string, core.BindingData>): core.Node {
  return create(core.NodeSchema, {
    id,
    inputs: bindings(inputs),
    target: { case: "workflowNode", value: { reference: { case: "subWorkflowRef", value: wfId(name) } } },
  });
}

function lpNode(id: string, name: string, inputs: Record<string, core.BindingData>): core.Node {
  return create(core.NodeSchema, {
    id,
    inputs: bindings(inputs),
    target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: lpId(name) } } },
  });
}

describe("gate nodes", () => {
  it("passes approved inputs through as outputs", () => {
    const wf = workflow("w", { inputs: { a: t.integer() }, outputs: { o: t.integer() } }, [
      gate("g", { case: "approve", value: { signalId: "ok" } }, { x: promise("", "a") }),
      taskNode("n", "inc", { x: promise("g", "x") }),
    ], { o: promise("n", "y") });
    const r = compile(wf, [inc]);
    expect(codes(r)).toEqual([]);
    if (r.ok) expect(ids(r.value.primary!.connections, "upstream", "n")).toEqual(["g"]);
  });

  it("exposes a signal's value as its one output and requires its type and name", () => {
    const wf = (sig: { type?: core.LiteralType; name: string }) =>
      workflow("w", {}, [
        gate("g", { case: "signal", value: create(core.SignalConditionSchema, { signalId: "s", type: sig.type, outputVariableName: sig.name }) }),
        taskNode("n", "inc", { x: promise("g", "v") }),
      ]);
    expect(codes(compile(wf({ type: t.integer(), name: "v" }), [inc]))).toEqual([]);
    expect(codes(compile(wf({ type: t.string(), name: "v" }), [inc]))).toEqual(["MismatchingTypes"]);
    expect(messages(compile(wf({ name: "v" }), [inc]))).toContain("GateNode.Signal.Type");
    expect(messages(compile(wf({ type: t.integer(), name: "" }), [inc]))).toContain("GateNode.Signal.OutputVariableName");
  });

  it("accepts a sleep and rejects a gate without a condition", () => {
    expect(codes(compile(workflow("w", {}, [gate("g", { case: "sleep", value: { duration: { seconds: 1n } } })]), []))).toEqual([]);
    expect(codes(compile(workflow("w", {}, [gate("g", { case: undefined })]), []))).toContain("NoConditionFound");
  });
});

describe("array nodes", () => {
  it("takes the interface of the mapped node", () => {
    const mapped = task("sq", { x: t.list(t.integer()) }, { y: t.list(t.integer()) });
    const arr = create(core.NodeSchema, {
      id: "arr",
      inputs: bindings({ x: promise("", "xs") }),
      target: { case: "arrayNode", value: { node: taskNode("inner", "sq") } },
    });
    const wf = workflow("w", { inputs: { xs: t.list(t.integer()) }, outputs: { ys: t.list(t.integer()) } }, [arr], { ys: promise("arr", "y") });
    expect(codes(compile(wf, [mapped]))).toEqual([]);
    const wrong = workflow("w", { inputs: { xs: t.list(t.string()) } }, [arr]);
    expect(codes(compile(wrong, [mapped]))).toEqual(["MismatchingTypes"]);
  });

  it("rejects an array node without a body", () => {
    const arr = create(core.NodeSchema, { id: "arr", target: { case: "arrayNode", value: {} } });
    expect(codes(compile(workflow("w", {}, [arr]), []))).toContain("ValueRequired");
  });
});

describe("sub-workflow nodes", () => {
  const sub = workflow("sub", { inputs: { a: t.integer() }, outputs: { o: t.integer() } }, [taskNode("s0", "inc", { x: promise("", "a") })], { o: promise("s0", "y") });

  it("compiles the sub-workflow and uses its interface", () => {
    const wf = workflow("w", { inputs: { a: t.integer() }, outputs: { o: t.integer() } }, [subNode("n", "sub", { a: promise("", "a") })], { o: promise("n", "o") });
    const r = compile(wf, [inc], [sub]);
    expect(codes(r)).toEqual([]);
    if (!r.ok) return;
    const compiledSub = r.value.subWorkflows[0]!;
    expect(compiledSub.template!.nodes.map((n) => n.id)).toEqual(["start-node", "end-node", "s0"]);
    expect(ids(compiledSub.connections, "upstream", "end-node")).toEqual(["s0"]);
  });

  it("reports a missing sub-workflow", () => {
    const wf = workflow("w", { inputs: { a: t.integer() } }, [subNode("n", "nope", { a: promise("", "a") })]);
    expect(codes(compile(wf, [inc], [sub]))).toEqual(["WorkflowReferenceNotFound"]);
  });

  it("reports errors inside the sub-workflow", () => {
    const broken = workflow("sub", { inputs: { a: t.string() }, outputs: { o: t.integer() } }, [taskNode("s0", "inc", { x: promise("", "a") })], { o: promise("s0", "y") });
    const wf = workflow("w", { inputs: { a: t.string() } }, [subNode("n", "sub", { a: promise("", "a") })]);
    expect(codes(compile(wf, [inc], [broken]))).toEqual(["MismatchingTypes"]);
  });

  it("rejects a sub-workflow that contains itself instead of recursing forever", () => {
    const selfRef = workflow("loop", { inputs: { a: t.integer() } }, [subNode("again", "loop", { a: promise("", "a") })]);
    const wf = workflow("w", { inputs: { a: t.integer() } }, [subNode("n", "loop", { a: promise("", "a") })]);
    expect(codes(compile(wf, [], [selfRef]))).toContain("CycleDetected");
  });

  it("rejects two sub-workflows with the same id", () => {
    const wf = workflow("w", { inputs: { a: t.integer() } }, [subNode("n", "sub", { a: promise("", "a") })]);
    expect(codes(compile(wf, [inc], [sub, sub]))).toEqual(["DuplicateId"]);
  });
});

describe("launch plan nodes", () => {
  const params = create(core.ParameterMapSchema, {
    parameters: {
      req: { var: { type: t.integer() }, behavior: { case: "required", value: true } },
      opt: { var: { type: t.string() }, behavior: { case: "default", value: {} } },
    },
  });
  const lp: LaunchPlanInterface = { id: lpId("lp"), expectedInputs: params, expectedOutputs: vars({ out: t.integer() }) };

  it("requires the launch plan's required inputs and allows overriding defaults", () => {
    const ok = workflow("w", {}, [lpNode("n", "lp", { req: int(1) })]);
    expect(codes(compile(ok, [], [], [lp]))).toEqual([]);
    const missing = workflow("w", {}, [lpNode("n", "lp", {})]);
    expect(codes(compile(missing, [], [], [lp]))).toEqual(["ParameterNotBound"]);
    const override = workflow("w", {}, [lpNode("n", "lp", { req: int(1), opt: int(2) })]);
    expect(codes(compile(override, [], [], [lp]))).toEqual(["MismatchingTypes"]);
  });

  it("reports a launch plan that was not provided", () => {
    expect(codes(compile(workflow("w", {}, [lpNode("n", "lp", {})]), []))).toEqual(["WorkflowReferenceNotFound"]);
  });

  it("gives a launch-plan reference to the workflow itself the workflow's own interface", () => {
    const self = workflow("rec", { inputs: { a: t.integer() } }, []);
    const node = create(core.NodeSchema, {
      id: "again",
      inputs: bindings({ a: promise("", "a") }),
      target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: self.id! } } },
    });
    self.nodes.push(node);
    // The provider's own interface says something else; the workflow's interface wins, as in Flyte.
    const provider: LaunchPlanInterface = { id: self.id!, expectedInputs: create(core.ParameterMapSchema), expectedOutputs: vars({}) };
    expect(codes(compile(self, [], [], [provider]))).toEqual([]);
  });
});
