import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { create, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { bindings, int, lpId, promise, taskNode, taskTemplate, types as t, vars, wfId, workflow } from "../test/builders.ts";
import { compileDynamicJobSpec, dynamicJobRequirements, type DynamicJobContext } from "./dynamic.ts";

const FIXTURE = new URL("../../../../shared/flyte-fixtures/compiler/dynamic/success_1.json", import.meta.url);

function parent(outputs: Record<string, core.LiteralType>): core.TaskTemplate {
  const p = taskTemplate("parent", {}, outputs);
  if (p.target.case === "container") p.target.value.config = [create(core.KeyValuePairSchema, { key: "from", value: "parent" })];
  return p;
}

function ctx(outputs: Record<string, core.LiteralType>): DynamicJobContext {
  return { parentTask: parent(outputs), project: "proj", domain: "dev", nodeId: "n3", version: "abc" };
}

describe("compileDynamicJobSpec", () => {
  const inc = taskTemplate("inc", { x: t.integer() }, { y: t.integer() });

  it("builds a workflow named after the node, typed by the parent's outputs, with the parent's config on tasks", () => {
    const spec = create(core.DynamicJobSpecSchema, {
      nodes: [taskNode("d0", "inc", { x: int(1) }), taskNode("d1", "inc", { x: promise("d0", "y") })],
      outputs: bindings({ o: promise("d1", "y") }),
      tasks: [inc, inc],
    });
    const r = compileDynamicJobSpec(spec, ctx({ o: t.integer() }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const tmpl = r.value.primary!.template!;
    expect(tmpl.id?.name).toBe("dynamic_n3");
    expect(tmpl.id?.resourceType).toBe(core.ResourceType.WORKFLOW);
    expect(r.value.tasks).toHaveLength(1);
    const task = r.value.tasks[0]!.template!;
    expect(task.target.case === "container" && task.target.value.config.map((c) => c.value)).toEqual(["parent"]);
    // The input spec is left as it was.
    expect(inc.target.case === "container" && inc.target.value.config).toEqual([]);
  });

  it("rejects a job whose outputs do not match the parent's declared outputs", () => {
    const spec = create(core.DynamicJobSpecSchema, {
      nodes: [taskNode("d0", "inc", { x: int(1) })],
      outputs: bindings({ o: promise("d0", "y") }),
      tasks: [inc],
    });
    const r = compileDynamicJobSpec(spec, ctx({ o: t.string() }));
    expect(r.ok || r.errors.map((e) => e.code)).toEqual(["MismatchingTypes"]);
  });

  it("returns task errors without compiling the workflow", () => {
    const bad = taskTemplate("inc", { x: t.integer() }, { y: t.integer() });
    if (bad.target.case === "container") bad.target.value.image = "";
    const spec = create(core.DynamicJobSpecSchema, { nodes: [taskNode("d0", "inc", { x: int(1) })], tasks: [bad] });
    const r = compileDynamicJobSpec(spec, ctx({}));
    expect(r.ok || r.errors.map((e) => e.code)).toEqual(["ValueRequired"]);
  });

  it.skipIf(!existsSync(FIXTURE))("compiles Flyte's dynamic fixture (merge sort)", () => {
    const spec = fromJson(core.DynamicJobSpecSchema, JSON.parse(readFileSync(FIXTURE, "utf8")) as JsonValue);
    const r = compileDynamicJobSpec(spec, ctx({ o0: t.list(t.integer()) }));
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toEqual([]);
  });

  it("compiles sub-workflows and launch plans the job calls once their interfaces are supplied", () => {
    const sub = workflow("sub", { inputs: { a: t.integer() }, outputs: { o: t.integer() } }, [taskNode("s0", "inc", { x: promise("", "a") })], { o: promise("s0", "y") });
    const spec = create(core.DynamicJobSpecSchema, {
      nodes: [
        create(core.NodeSchema, {
          id: "d0",
          inputs: bindings({ a: int(1) }),
          target: { case: "workflowNode", value: { reference: { case: "subWorkflowRef", value: wfId("sub") } } },
        }),
        create(core.NodeSchema, {
          id: "d1",
          inputs: bindings({ a: promise("d0", "o") }),
          target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: lpId("lp") } } },
        }),
      ],
      outputs: bindings({ o: promise("d1", "o") }),
      tasks: [inc],
      subworkflows: [sub],
    });
    const reqs = dynamicJobRequirements(spec, ctx({ o: t.integer() }));
    expect(reqs.ok && reqs.value.launchPlanIds.map((i) => i.name)).toEqual(["lp"]);
    expect(reqs.ok && reqs.value.taskIds.map((i) => i.name)).toEqual(["inc"]);

    const missing = compileDynamicJobSpec(spec, ctx({ o: t.integer() }));
    expect(missing.ok || missing.errors.map((e) => e.code)).toEqual(["WorkflowReferenceNotFound"]);

    const params = create(core.ParameterMapSchema, { parameters: { a: { var: { type: t.integer() }, behavior: { case: "required", value: true } } } });
    const lp = { id: lpId("lp"), expectedInputs: params, expectedOutputs: vars({ o: t.integer() }) };
    const r = compileDynamicJobSpec(spec, { ...ctx({ o: t.integer() }), launchPlans: [lp] });
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toEqual([]);
    expect(r.ok && r.value.subWorkflows[0]!.connections?.upstream["end-node"]?.ids).toEqual(["s0"]);
  });
});
