import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { core } from "@aloft/idl";
import { runWorkflow } from "./local/run.ts";
import { referenceTask } from "./reference.ts";
import { Serializer } from "./serialize/serializer.ts";
import { t } from "./types/t.ts";
import * as R from "./serialize/testdata/references.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const settings = { project: "flytesnacks", domain: "development", version: "v1", root };

describe("reference entities", () => {
  it("serializes a reference task as a task node pointing at the registered id, and registers nothing of it", async () => {
    const s = new Serializer(settings);
    const { id } = await s.workflow(R.callsTask);
    const wf = s.workflows.get(id.name)!;
    const node = wf.nodes.find((n) => n.id === "n0")!;
    expect(node.target.case).toBe("taskNode");
    const ref = (node.target.value as core.TaskNode).reference.value as core.Identifier;
    expect([ref.resourceType, ref.project, ref.domain, ref.name, ref.version]).toEqual([core.ResourceType.TASK, "flytesnacks", "development", "tasks.add", "py1"]);
    expect([...s.tasks.keys()]).toEqual(["packages.sdk.src.serialize.testdata.references.double"]);
    const r = s.references.get("task:flytesnacks/development/tasks.add/py1")!;
    expect(Object.keys(r.interface.inputs!.variables)).toEqual(["a", "b"]);
    // The declared interface is enough to compile locally.
    expect(s.compile(id.name).tasks.map((t) => t.template!.id!.name).sort()).toEqual(["packages.sdk.src.serialize.testdata.references.double", "tasks.add"]);
  });

  it("serializes reference launch plans and workflows as workflow nodes naming the registered ids", async () => {
    const s = new Serializer(settings);
    const lp = s.workflows.get((await s.workflow(R.callsLaunchPlan)).id.name)!;
    const lpRef = (lp.nodes.find((n) => n.id === "n1")!.target.value as core.WorkflowNode).reference;
    expect(lpRef.case).toBe("launchplanRef");
    expect((lpRef.value as core.Identifier).project).toBe("other");
    expect(s.compile(lp.id!.name).primary).toBeDefined();
    const wf = s.workflows.get((await s.workflow(R.callsWorkflow)).id.name)!;
    const wfRef = (wf.nodes.find((n) => n.id === "n0")!.target.value as core.WorkflowNode).reference;
    expect(wfRef.case).toBe("subWorkflowRef");
    expect((wfRef.value as core.Identifier).name).toBe("tasks.wf");
    expect(s.launchPlans.size).toBe(0);
    expect(() => s.compile(wf.id!.name)).toThrow(/reference workflow flytesnacks\/development\/tasks.wf\/py1.*--remote/);
  });

  it("runs locally with the reference task mocked, and says how to run it when it is not", async () => {
    const r = await runWorkflow(R.callsTask, { a: 4 }, { root, mocks: [[R.pyAdd, ({ a, b }: { a: number; b: number }) => a + b]] });
    expect(r.outputs).toBe(10);
    await expect(runWorkflow(R.callsTask, { a: 4 }, { root })).rejects.toThrow(/tasks.add.*runs only on the server.*--remote/);
  });

  it("refuses a declaration without its full identifier, and wrong inputs where the call is written", () => {
    expect(() => referenceTask({ project: "p", domain: "d", name: "n", version: "" })).toThrow(/"version" must be a non-empty string/);
    // @ts-expect-error unknown options are refused by the type as well
    expect(() => referenceTask({ project: "p", domain: "d", name: "n", version: "v", image: "x" })).toThrow(/unknown option "image"/);
    const ref = referenceTask({ project: "p", domain: "d", name: "n", version: "v", inputs: { a: t.int() } });
    expect(() => ref({ a: 1 })).toThrow(/inside a workflow|workflow function/);
  });
});
