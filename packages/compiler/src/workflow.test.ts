import { describe, expect, it } from "vitest";
import { clone, create, toBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { codes, compile, ids, int, list, messages, promise, task, taskNode, types as t, workflow } from "../test/builders.ts";
import { compileWorkflow } from "./workflow.ts";

const inc = task("inc", { x: t.integer() }, { y: t.integer() });
const toStr = task("to_str", { x: t.integer() }, { s: t.string() });
const takesStr = task("takes_str", { s: t.string() }, {});

describe("compileWorkflow graph", () => {
  it("adds start and end nodes and the edges implied by promises", () => {
    const wf = workflow("w", { inputs: { a: t.integer() }, outputs: { o: t.integer() } }, [
      taskNode("n0", "inc", { x: promise("", "a") }),
      taskNode("n1", "inc", { x: promise("n0", "y") }),
    ], { o: promise("n1", "y") });
    const r = compile(wf, [inc]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const p = r.value.primary!;
    expect(p.template!.nodes.map((n) => n.id)).toEqual(["start-node", "end-node", "n0", "n1"]);
    expect(ids(p.connections, "downstream", "start-node")).toEqual(["n0"]);
    expect(ids(p.connections, "upstream", "n1")).toEqual(["n0"]);
    expect(ids(p.connections, "upstream", "end-node")).toEqual(["n1"]);
    // A promise on the workflow inputs is rewritten to name the start node.
    const b = p.template!.nodes[2]!.inputs[0]!.binding!.value;
    expect(b.case === "promise" && b.value.nodeId).toBe("start-node");
  });

  it("connects nodes without inputs to the start node and leaf nodes to the end node", () => {
    const noInputs = task("const", {}, { y: t.integer() });
    const wf = workflow("w", {}, [taskNode("a", "const"), taskNode("b", "const")]);
    const r = compile(wf, [noInputs]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(ids(r.value.primary!.connections, "downstream", "start-node")).toEqual(["a", "b"]);
    expect(ids(r.value.primary!.connections, "upstream", "end-node")).toEqual(["a", "b"]);
  });

  it("honours explicit upstream node ids and sorts them", () => {
    const noInputs = task("const", {}, {});
    const wf = workflow("w", {}, [taskNode("b", "const"), taskNode("a", "const"), taskNode("c", "const", {}, ["b", "a"])]);
    const r = compile(wf, [noInputs]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.primary!.template!.nodes[4]!.upstreamNodeIds).toEqual(["a", "b"]);
    expect(ids(r.value.primary!.connections, "upstream", "c")).toEqual(["a", "b"]);
  });

  it("rejects two nodes with the same id", () => {
    const wf = workflow("w", { inputs: { a: t.integer() } }, [
      taskNode("n0", "inc", { x: promise("", "a") }),
      taskNode("n0", "inc", { x: promise("", "a") }),
    ]);
    expect(codes(compile(wf, [inc]))).toEqual(["DuplicateId"]);
  });

  it("rejects a node that reuses the start node's id", () => {
    const wf = workflow("w", { inputs: { a: t.integer() } }, [taskNode("start-node", "inc", { x: promise("", "a") })]);
    expect(codes(compile(wf, [inc]))).toContain("DuplicateId");
  });

  it("rejects a workflow without nodes", () => {
    expect(codes(compile(workflow("w", {}, []), []))).toEqual(["NoNodesFound"]);
  });

  it("detects a cycle through explicit dependencies", () => {
    const noInputs = task("const", {}, {});
    const wf = workflow("w", {}, [taskNode("a", "const", {}, ["b"]), taskNode("b", "const", {}, ["a"]), taskNode("c", "const")]);
    const r = compile(wf, [noInputs]);
    // a and b both have upstream nodes, so nothing links them to the start: Flyte reports them unreachable.
    expect(codes(r)).toEqual(["UnreachableNodes"]);
    expect(messages(r)).toContain("[a,b]");
  });

  it("detects a cycle reachable from the start node", () => {
    const wf = workflow("w", { inputs: { a: t.integer() } }, [
      taskNode("n0", "inc", { x: promise("", "a") }, ["n1"]),
      taskNode("n1", "inc", { x: promise("n0", "y") }),
    ]);
    const r = compile(wf, [inc]);
    expect(codes(r)).toEqual(["CycleDetected"]);
    expect(messages(r)).toContain("n0>n1>n0");
  });

  it("reports a missing task once, before looking at the graph", () => {
    const wf = workflow("w", {}, [taskNode("n0", "nope"), taskNode("n1", "nope")]);
    const r = compile(wf, []);
    expect(codes(r)).toEqual(["TaskReferenceNotFound"]);
    expect(r.ok || r.errors[0]!.nodeId).toBe("start-node");
  });

  it("rejects an unbound required input and accepts an unbound optional one", () => {
    const opt = task("opt", { x: t.integer(), maybe: t.optional(t.string()) }, {});
    const bound = workflow("w", { inputs: { a: t.integer() } }, [taskNode("n0", "opt", { x: promise("", "a") })]);
    const unbound = workflow("w", {}, [taskNode("n0", "opt", {})]);
    expect(codes(compile(bound, [opt]))).toEqual([]);
    const r = compile(unbound, [opt]);
    expect(codes(r)).toEqual(["ParameterNotBound"]);
    expect(messages(r)).toContain("[x]");
  });

  it("rejects an unbound workflow output", () => {
    const wf = workflow("w", { inputs: { a: t.integer() }, outputs: { o: t.integer() } }, [taskNode("n0", "inc", { x: promise("", "a") })]);
    const r = compile(wf, [inc]);
    expect(codes(r)).toEqual(["ParameterNotBound"]);
    expect(r.ok || r.errors[0]!.nodeId).toBe("end-node");
  });

  it("rejects an int bound to a string input and prints both types", () => {
    const wf = workflow("w", { inputs: { a: t.integer() } }, [
      taskNode("n0", "inc", { x: promise("", "a") }),
      taskNode("n1", "takes_str", { s: promise("n0", "y") }),
    ]);
    const r = compile(wf, [inc, takesStr]);
    expect(codes(r)).toEqual(["MismatchingTypes"]);
    expect(messages(r)).toContain("[integer]");
    expect(messages(r)).toContain("[string]");
    expect(r.ok || r.errors[0]!.nodeId).toBe("n1");
  });

  it("accepts a string output bound to a string input", () => {
    const wf = workflow("w", { inputs: { a: t.integer() } }, [
      taskNode("n0", "to_str", { x: promise("", "a") }),
      taskNode("n1", "takes_str", { s: promise("n0", "s") }),
    ]);
    expect(codes(compile(wf, [toStr, takesStr]))).toEqual([]);
  });

  it("rejects a promise on a node that does not exist and on an output that does not exist", () => {
    const missingNode = workflow("w", {}, [taskNode("n0", "inc", { x: promise("ghost", "y") })]);
    expect(codes(compile(missingNode, [inc]))).toEqual(["NodeReferenceNotFound", "ParameterNotBound"]);
    const missingVar = workflow("w", { inputs: { a: t.integer() } }, [
      taskNode("n0", "inc", { x: promise("", "a") }),
      taskNode("n1", "inc", { x: promise("n0", "nope") }),
    ]);
    expect(codes(compile(missingVar, [inc]))).toEqual(["ParameterNotBound", "VariableNameNotFound"]);
  });

  it("rejects a binding for an input the task does not have", () => {
    const wf = workflow("w", {}, [taskNode("n0", "inc", { x: int(1), extra: int(2) })]);
    expect(codes(compile(wf, [inc]))).toEqual(["VariableNameNotFound"]);
  });

  it("rejects an input bound twice", () => {
    const n = taskNode("n0", "inc", { x: int(1) });
    n.inputs.push(create(core.BindingSchema, { var: "x", binding: int(2) }));
    expect(codes(compile(workflow("w", {}, [n]), [inc]))).toEqual(["ParameterBoundMoreThanOnce"]);
  });

  it("applies output aliases and rejects an alias for a missing output", () => {
    const aliased = taskNode("n0", "inc", { x: int(1) });
    aliased.outputAliases = [create(core.AliasSchema, { var: "y", alias: "renamed" })];
    const ok = workflow("w", { outputs: { o: t.integer() } }, [aliased], { o: promise("n0", "renamed") });
    expect(codes(compile(ok, [inc]))).toEqual([]);
    const bad = taskNode("n0", "inc", { x: int(1) });
    bad.outputAliases = [create(core.AliasSchema, { var: "nope", alias: "z" })];
    expect(codes(compile(workflow("w", {}, [bad]), [inc]))).toEqual(["ParameterNotBound"]);
  });

  it("validates a failure node and records only its upstream edges", () => {
    const cleanup = task("cleanup", { x: t.integer() }, {});
    const wf = workflow("w", { inputs: { a: t.integer() } }, [taskNode("n0", "inc", { x: promise("", "a") })]);
    wf.failureNode = taskNode("fail", "cleanup", { x: promise("n0", "y") });
    const r = compile(wf, [inc, cleanup]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(ids(r.value.primary!.connections, "upstream", "fail")).toEqual(["n0"]);
    expect(ids(r.value.primary!.connections, "downstream", "n0")).toEqual(["end-node"]);
  });

  it("fills in a missing workflow interface with empty inputs and outputs", () => {
    const wf = workflow("w", {}, [taskNode("n0", "inc", { x: int(1) })]);
    wf.interface = undefined;
    const r = compile(wf, [inc]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.primary!.template!.interface?.inputs).toBeDefined();
    expect(r.value.primary!.template!.interface?.outputs).toBeDefined();
  });

  it("does not modify its inputs", () => {
    const sub = workflow("sub", { inputs: { a: t.integer() } }, [taskNode("s0", "inc", { x: promise("", "a") })]);
    const wf = workflow("w", { inputs: { a: t.integer() } }, [
      taskNode("n0", "inc", { x: promise("", "a") }),
      create(core.NodeSchema, {
        id: "n1",
        inputs: [create(core.BindingSchema, { var: "a", binding: promise("", "a") })],
        target: { case: "workflowNode", value: { reference: { case: "subWorkflowRef", value: sub.id! } } },
      }),
    ]);
    const bareTask = task("inc", { x: t.integer() }, { y: t.integer() });
    bareTask.template!.interface!.inputs = undefined;
    const text = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    const before = text([wf, sub, bareTask]);
    const r = compile(wf, [bareTask], [sub]);
    // The task has no input map, so its x binding is unknown; compiling fills in the map on its own copy only.
    expect(codes(r)).toContain("VariableNameNotFound");
    expect(text([wf, sub, bareTask])).toBe(before);
  });

  it("returns every given task once, in the order given", () => {
    const wf = workflow("w", {}, [taskNode("n0", "inc", { x: int(1) })]);
    const r = compile(wf, [toStr, inc, toStr]);
    expect(r.ok && r.value.tasks.map((x) => x.template!.id!.name)).toEqual(["to_str", "inc"]);
  });

  it("rejects a compiled task without a template id", () => {
    const r = compileWorkflow(workflow("w", {}, [taskNode("n0", "inc")]), [], [create(core.CompiledTaskSchema)], []);
    expect(codes(r)).toEqual(["ValueRequired"]);
  });

  it("reports input nested too deeply as an error instead of overflowing the stack", () => {
    let b = int(1);
    for (let i = 0; i < 20000; i++) b = list([b]);
    const r = compile(workflow("w", {}, [taskNode("n", "deep", { x: b })]), [task("deep", { x: t.list(t.integer()) }, {})]);
    expect(codes(r)).toEqual(["InvalidValue"]);
    expect(messages(r)).toContain("nested too deeply");
  });

  it("keeps a node named __proto__ as an ordinary connection key", () => {
    const wf = workflow("w", { inputs: { a: t.integer() } }, [taskNode("__proto__", "inc", { x: promise("", "a") })]);
    const r = compile(wf, [inc]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const up = r.value.primary!.connections!.upstream;
    expect(Object.hasOwn(up, "__proto__")).toBe(true);
    expect(up["__proto__"]!.ids).toEqual(["start-node"]);
  });
});

describe("compileWorkflow takeOwnership", () => {
  const chain = () =>
    workflow("w", { inputs: { a: t.integer() }, outputs: { o: t.integer() } }, [
      taskNode("n0", "inc", { x: promise("", "a") }),
      taskNode("n1", "inc", { x: promise("n0", "y") }),
    ], { o: promise("n1", "y") });

  it("compiles the given messages in place into the same closure the default (copying) mode produces", () => {
    const wf = chain();
    const copied = compileWorkflow(wf, [], [inc], []);
    const original = toBinary(core.WorkflowTemplateSchema, wf);
    // The default leaves the caller's template untouched.
    expect(toBinary(core.WorkflowTemplateSchema, wf)).toEqual(original);
    const owned = compileWorkflow(wf, [], [clone(core.CompiledTaskSchema, inc)], [], { takeOwnership: true });
    expect(owned.ok && copied.ok).toBe(true);
    if (!owned.ok || !copied.ok) return;
    expect(toBinary(core.CompiledWorkflowClosureSchema, owned.value)).toEqual(toBinary(core.CompiledWorkflowClosureSchema, copied.value));
    expect(owned.value.primary!.template).toBe(wf);
  });
});
