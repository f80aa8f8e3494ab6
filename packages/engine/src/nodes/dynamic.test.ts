import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core, types } from "@aloft/idl";
import { bindings, closure, executionId, promise, scalarBinding, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { useEngines } from "../testing/engine.ts";
import { int, ints } from "../testing/values.ts";
import { lit } from "@aloft/idl";

const engineWith = useEngines();
const inc = task("inc", { x: types.integer() }, { o: types.integer() });
const dyn = task("dyn", { n: types.integer() }, { o: types.integer() });

describe("dynamic node", () => {
  it("runs the DynamicJobSpec a task returns as child actions and takes its outputs", async () => {
    const { engine, plugin } = await engineWith({
      inc: (i) => ({ kind: "success", outputs: ints({ o: int(i, "x") + 1 }) }),
      // Builds a chain of n increments starting from the task's own input, bound as a literal
      // (as flytekit does: a dynamic workflow has no inputs of its own).
      dyn: (i) => {
        const n = int(i, "n");
        const nodes = Array.from({ length: n }, (_, k) => taskNode(`d${k}`, inc, { x: k === 0 ? scalarBinding(lit.integer(n)) : promise(`d${k - 1}`, "o") }));
        const spec = create(core.DynamicJobSpecSchema, { nodes, tasks: [inc], outputs: bindings({ o: promise(`d${n - 1}`, "o") }), minSuccesses: BigInt(n) });
        return { kind: "dynamic", spec };
      },
    });
    const wf: WorkflowSpec = { name: "dynwf", outputs: { r: types.integer() }, nodes: [taskNode("gen", dyn, { n: scalarBinding(lit.integer(3)) })], outputBindings: { r: promise("gen", "o") } };
    const id = executionId("dyn");
    await engine.createExecution({ id, closure: closure(wf, [dyn]), inputs: ints({}) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("SUCCEEDED");
    expect(int(r.outputs, "r")).toBe(6);
    expect(plugin.calls.map((c) => c.actionKey.split("/").slice(3).join("/"))).toEqual(["gen", "gen/dynamic/d0", "gen/dynamic/d1", "gen/dynamic/d2"]);
  });

  it("fails the node with the compiler's errors when the spec does not compile", async () => {
    const { engine, plugin } = await engineWith({
      inc: (i) => ({ kind: "success", outputs: ints({ o: int(i, "x") + 1 }) }),
      dyn: () => ({ kind: "dynamic", spec: create(core.DynamicJobSpecSchema, { nodes: [taskNode("d0", inc, { x: promise("start-node", "n") })], tasks: [inc] }) }),
    });
    const wf: WorkflowSpec = { name: "dynbad", nodes: [taskNode("gen", dyn, { n: scalarBinding(lit.integer(1)) })] };
    const id = executionId("dynbad");
    await engine.createExecution({ id, closure: closure(wf, [dyn]), inputs: ints({}) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("FAILED");
    expect(r.error?.message).toMatch(/gen\.dynamic: the DynamicJobSpec does not compile: .*Variable \[n\] not found on node \[start-node\]/s);
    expect(plugin.calls.map((c) => c.task)).toEqual(["dyn"]);
  });

  it("fails the node with the failing sub-node's error", async () => {
    const { engine } = await engineWith({
      inc: () => ({ kind: "failure", error: { kind: "USER", code: "IncFailed", message: "nope", recoverable: false } }),
      dyn: () => ({
        kind: "dynamic",
        spec: create(core.DynamicJobSpecSchema, { nodes: [taskNode("d0", inc, { x: scalarBinding(lit.integer(1)) })], tasks: [inc], outputs: bindings({ o: promise("d0", "o") }) }),
      }),
    });
    const wf: WorkflowSpec = { name: "dynfail", nodes: [taskNode("gen", dyn, { n: scalarBinding(lit.integer(1)) })] };
    const id = executionId("dynfail");
    await engine.createExecution({ id, closure: closure(wf, [dyn]), inputs: ints({}) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("FAILED");
    expect(r.error).toMatchObject({ code: "IncFailed", failedNodeId: "d0" });
  });
});
