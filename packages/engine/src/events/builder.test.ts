import { describe, expect, it, vi } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core, event, types, lit } from "@aloft/idl";
import { bindings, closure, executionId, promise, scalarBinding, task, taskNode } from "../testing/closures.ts";
import { useEngines } from "../testing/engine.ts";
import { int, ints } from "../testing/values.ts";
import type { EventSink } from "./sink.ts";

const engineWith = useEngines();

describe("node events", () => {
  it("mark an array node as an array, not a parent node, as flytekit's FlyteRemote.sync_node_execution needs", async () => {
    const sq = task("sq", { x: types.integer() }, { o: types.integer() });
    const nodes: event.NodeExecutionEvent[] = [];
    const events: EventSink = { workflow: () => {}, node: (e) => void nodes.push(e), task: () => {} };
    const { engine } = await engineWith({ sq: (i) => ({ kind: "success", outputs: ints({ o: int(i, "x") ** 2 }) }) }, { events });
    const arr = create(core.NodeSchema, {
      id: "n1",
      inputs: bindings({ x: promise("start-node", "xs") }),
      target: { case: "arrayNode", value: create(core.ArrayNodeSchema, { node: taskNode("n1-sub", sq, {}) }) },
    });
    const spec = { name: "mapper", inputs: { xs: types.list(types.integer()) }, outputs: { r: types.list(types.integer()) }, nodes: [arr], outputBindings: { r: promise("n1", "o") } };
    const id = executionId("array-events");
    await engine.createExecution({ id, closure: closure(spec, [sq]), inputs: create(core.LiteralMapSchema, { literals: { xs: lit.collection([lit.integer(2), lit.integer(3)]) } }) });
    expect((await engine.wait(id)).phase).toBe("SUCCEEDED");
    // Events are published after the state change; the array node's last one comes once its items exist.
    const done = () => nodes.filter((e) => e.id?.nodeId === "n1" && e.phase === core.NodeExecution_Phase.SUCCEEDED);
    await vi.waitFor(() => expect(done().length).toBeGreaterThan(0));
    expect(done().every((e) => e.isArray && !e.isParent)).toBe(true);
    expect(nodes.filter((e) => e.id?.nodeId === "n1").every((e) => !e.isParent)).toBe(true);
  });

  it("carry a dynamic node's compiled workflow (nodes, tasks) for GetNodeExecutionData, as flytepropeller's do", async () => {
    const dbl = task("dbl", { x: types.integer() }, { o: types.integer() });
    const fan = task("fan", { n: types.integer() }, { o: types.integer() });
    const nodes: event.NodeExecutionEvent[] = [];
    const events: EventSink = { workflow: () => {}, node: (e) => void nodes.push(e), task: () => {} };
    const { engine } = await engineWith(
      {
        dbl: (i) => ({ kind: "success", outputs: ints({ o: int(i, "x") * 2 }) }),
        fan: () => ({
          kind: "dynamic",
          spec: create(core.DynamicJobSpecSchema, { nodes: [taskNode("dn0", dbl, { x: scalarBinding(lit.integer(4)) })], tasks: [dbl], outputs: bindings({ o: promise("dn0", "o") }), minSuccesses: 1n }),
        }),
      },
      { events },
    );
    const spec = { name: "dynwf", outputs: { r: types.integer() }, nodes: [taskNode("n0", fan, { n: scalarBinding(lit.integer(1)) })], outputBindings: { r: promise("n0", "o") } };
    const id = executionId("dynamic-events");
    await engine.createExecution({ id, closure: closure(spec, [fan]), inputs: ints({}) });
    expect((await engine.wait(id)).phase).toBe("SUCCEEDED");
    const done = () => nodes.filter((e) => e.id?.nodeId === "n0" && e.phase === core.NodeExecution_Phase.SUCCEEDED);
    await vi.waitFor(() => expect(done().length).toBeGreaterThan(0));
    const last = done().at(-1)!;
    expect(last.isDynamic && last.isParent).toBe(true);
    expect(last.targetMetadata.case).toBe("taskNodeMetadata");
    const dyn = last.targetMetadata.case === "taskNodeMetadata" ? last.targetMetadata.value.dynamicWorkflow : undefined;
    expect(dyn?.dynamicJobSpecUri).toMatch(/futures|dynamic/);
    expect(dyn?.compiledWorkflow?.primary?.template?.nodes.map((n) => n.id)).toEqual(["dn0"]);
    expect(dyn?.compiledWorkflow?.tasks.map((t) => t.template?.id?.name)).toEqual(["dbl"]);
  });

  it("name a launch-plan node's child execution (workflow_node_metadata), which flytekit's sync fetches for the node's values", async () => {
    const inc = task("inc", { c: types.integer() }, { co: types.integer() });
    const child = { name: "child", inputs: { c: types.integer() }, outputs: { co: types.integer() }, nodes: [taskNode("n0", inc, { c: promise("start-node", "c") })], outputBindings: { co: promise("n0", "co") } };
    const nodes: event.NodeExecutionEvent[] = [];
    const events: EventSink = { workflow: () => {}, node: (e) => void nodes.push(e), task: () => {} };
    const { engine } = await engineWith(
      { inc: (i) => ({ kind: "success", outputs: ints({ co: int(i, "c") + 1 }) }) },
      { events, launchPlans: async ({ inputs }) => ({ closure: closure(child, [inc]), inputs }) },
    );
    const lpId = create(core.IdentifierSchema, { resourceType: core.ResourceType.LAUNCH_PLAN, project: "proj", domain: "dev", name: "child_lp", version: "v1" });
    const lp = create(core.NodeSchema, { id: "n1", inputs: bindings({ c: scalarBinding(lit.integer(10)) }), target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: lpId } } } });
    const id = executionId("lp-events");
    await engine.createExecution({ id, closure: closure({ name: "lpparent", outputs: { r: types.integer() }, nodes: [lp], outputBindings: { r: promise("n1", "co") } }, []), inputs: ints({}) });
    expect((await engine.wait(id)).phase).toBe("SUCCEEDED");
    const done = () => nodes.filter((e) => e.id?.nodeId === "n1" && e.phase === core.NodeExecution_Phase.SUCCEEDED);
    await vi.waitFor(() => expect(done().length).toBeGreaterThan(0));
    const childName = ((await engine.listNodeExecutions(id)).find((n) => n.name === "n1")!.state as { child: string }).child;
    const last = done().at(-1)!;
    expect(last.isParent).toBe(false);
    expect(last.targetMetadata.case).toBe("workflowNodeMetadata");
    const wf = last.targetMetadata.case === "workflowNodeMetadata" ? last.targetMetadata.value.executionId : undefined;
    expect(wf).toMatchObject({ project: id.project, domain: id.domain, name: childName });
  });
});
