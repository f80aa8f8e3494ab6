import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core, types, lit } from "@aloft/idl";
import { bindings, closure, executionId, promise, scalarBinding, task, taskNode, workflowTemplate, type WorkflowSpec } from "../testing/closures.ts";
import { useEngines } from "../testing/engine.ts";
import { int, ints } from "../testing/values.ts";

const engineWith = useEngines();
const inc = task("inc", { x: types.integer() }, { o: types.integer() });
const incFn = (i: core.LiteralMap) => ({ kind: "success" as const, outputs: ints({ o: int(i, "x") + 1 }) });
const child: WorkflowSpec = {
  name: "child",
  inputs: { c: types.integer() },
  outputs: { co: types.integer() },
  nodes: [taskNode("i1", inc, { x: promise("start-node", "c") }), taskNode("i2", inc, { x: promise("i1", "o") })],
  outputBindings: { co: promise("i2", "o") },
};
const childId = workflowTemplate(child).template!.id!;

describe("sub-workflow node", () => {
  it("runs the referenced workflow with the node's inputs", async () => {
    const { engine } = await engineWith({ inc: incFn });
    const sub = create(core.NodeSchema, { id: "sub", inputs: bindings({ c: promise("start-node", "a") }), target: { case: "workflowNode", value: { reference: { case: "subWorkflowRef", value: childId } } } });
    const parent: WorkflowSpec = { name: "parent", inputs: { a: types.integer() }, outputs: { r: types.integer() }, nodes: [sub], outputBindings: { r: promise("sub", "co") } };
    const id = executionId("sub");
    await engine.createExecution({ id, closure: closure(parent, [inc], [child]), inputs: ints({ a: 1 }) });
    const r = await engine.wait(id);
    expect(int(r.outputs, "r")).toBe(3);
    const keys = (await engine.listNodeExecutions(id)).map((n) => n.key.split("/").slice(3).join("/"));
    expect(keys.sort()).toEqual(["", "sub", "sub/workflow", "sub/workflow/i1", "sub/workflow/i2"].sort());
  });
});

describe("launch-plan node", () => {
  it("starts a child execution through the resolver, once, and takes its outputs", async () => {
    const resolved: string[] = [];
    const { engine } = await engineWith(
      { inc: incFn },
      {
        launchPlans: async ({ launchPlan, inputs }) => {
          resolved.push(launchPlan.name);
          // The control plane merges launch-plan defaults with the node's inputs.
          return { closure: closure(child, [inc]), inputs };
        },
      },
    );
    const lpId = create(core.IdentifierSchema, { resourceType: core.ResourceType.LAUNCH_PLAN, project: "proj", domain: "dev", name: "child_lp", version: "v1" });
    const lp = create(core.NodeSchema, { id: "lp", inputs: bindings({ c: scalarBinding(lit.integer(10)) }), target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: lpId } } } });
    const parent: WorkflowSpec = { name: "lpparent", outputs: { r: types.integer() }, nodes: [lp], outputBindings: { r: promise("lp", "co") } };
    const id = executionId("lp");
    await engine.createExecution({ id, closure: closure(parent, []), inputs: ints({}) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("SUCCEEDED");
    expect(int(r.outputs, "r")).toBe(12);
    expect(resolved).toEqual(["child_lp"]);
    const lpNode = (await engine.listNodeExecutions(id)).find((n) => n.name === "lp")!;
    const childName = (lpNode.state as { child: string }).child;
    const childExec = await engine.getExecution(executionId(childName));
    expect(childExec).toMatchObject({ phase: "SUCCEEDED", parentAction: lpNode.key });
  });

  it("fails clearly when no resolver is configured", async () => {
    const { engine } = await engineWith({});
    const lpId = create(core.IdentifierSchema, { resourceType: core.ResourceType.LAUNCH_PLAN, project: "proj", domain: "dev", name: "x", version: "v1" });
    const lp = create(core.NodeSchema, { id: "lp", target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: lpId } } } });
    const id = executionId("lp-none");
    await engine.createExecution({ id, closure: closure({ name: "p", nodes: [lp] }, []), inputs: ints({}) });
    const r = await engine.wait(id);
    expect(r.error?.message).toMatch(/no launch plan resolver is configured/);
  });
});
