import { describe, expect, it } from "vitest";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { bindings, lpId, taskNode, wfId, workflow } from "../test/builders.ts";
import { getRequirements } from "./requirements.ts";

function ref(id: string, target: MessageInitShape<typeof core.NodeSchema>["target"]): core.Node {
  return create(core.NodeSchema, { id, inputs: bindings({}), target });
}

describe("getRequirements", () => {
  it("lists task and launch plan ids once, sorted, including those in branches, arrays and sub-workflows", () => {
    const sub = workflow("sub", {}, [taskNode("s", "zeta")]);
    const wf = workflow("w", {}, [
      taskNode("a", "beta"),
      taskNode("b", "alpha"),
      taskNode("c", "beta"),
      ref("d", { case: "arrayNode", value: { node: taskNode("inner", "gamma") } }),
      ref("e", {
        case: "branchNode",
        value: { ifElse: { case: { thenNode: taskNode("t", "delta") }, default: { case: "elseNode", value: taskNode("el", "epsilon") } } },
      }),
      ref("f", { case: "workflowNode", value: { reference: { case: "launchplanRef", value: lpId("lp") } } }),
      ref("g", { case: "workflowNode", value: { reference: { case: "subWorkflowRef", value: wfId("sub") } } }),
    ]);
    const r = getRequirements(wf, [sub]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.taskIds.map((i) => i.name)).toEqual(["alpha", "beta", "delta", "epsilon", "gamma", "zeta"]);
    expect(r.value.launchPlanIds.map((i) => i.name)).toEqual(["lp"]);
  });

  it("includes the failure node's task", () => {
    const wf = workflow("w", {}, [taskNode("a", "main")]);
    wf.failureNode = taskNode("f", "cleanup");
    const r = getRequirements(wf);
    expect(r.ok && r.value.taskIds.map((i) => i.name)).toEqual(["cleanup", "main"]);
  });

  it("rejects duplicate sub-workflow ids", () => {
    const sub = workflow("sub", {}, [taskNode("s", "x")]);
    const r = getRequirements(workflow("w", {}, [taskNode("a", "x")]), [sub, sub]);
    expect(r.ok || r.errors.map((e) => e.code)).toEqual(["DuplicateId"]);
  });

  it("stops at a sub-workflow that references itself", () => {
    const loop = workflow("loop", {}, [ref("again", { case: "workflowNode", value: { reference: { case: "subWorkflowRef", value: wfId("loop") } } })]);
    const wf = workflow("w", {}, [ref("n", { case: "workflowNode", value: { reference: { case: "subWorkflowRef", value: wfId("loop") } } })]);
    expect(getRequirements(wf, [loop]).ok).toBe(true);
  });
});
