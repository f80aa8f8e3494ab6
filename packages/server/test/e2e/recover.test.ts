// Recover through `aloft start` in process: a two-node execution whose second node fails is recovered; the
// first node's outputs are reused (its task does not run again) and only the failed node runs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { admin, core, service } from "@aloft/idl";
import type { TaskPlugin } from "@aloft/engine";
import { startAloft, type Aloft } from "../../src/app.ts";
import { defaultConfig } from "../../src/config.ts";
import { echoEntities, intLiteral } from "../fixtures/echo.ts";

const P = "flytesnacks";
const D = "development";
let aloft: Aloft;
let dir: string;
let client: Client<typeof service.AdminService>;
const calls: Record<string, number> = { echo: 0, flaky: 0 };

// Counts runs of both task types; the flaky one fails its first run.
const counting: TaskPlugin = {
  name: "counting",
  canHandle: (t) => t.type === "flaky" || t.type === "counted-echo",
  async execute(ctx) {
    if (ctx.task.type === "counted-echo") {
      calls.echo!++;
      return { kind: "success", outputs: ctx.inputs };
    }
    calls.flaky!++;
    if (calls.flaky === 1) return { kind: "failure", error: { kind: "USER", code: "Flaky", message: "first run fails", recoverable: false } };
    return { kind: "success", outputs: ctx.inputs };
  },
};

async function waitFor(name: string): Promise<admin.Execution> {
  for (let i = 0; i < 400; i++) {
    const ex = await client.getExecution({ id: { project: P, domain: D, name } });
    if ([core.WorkflowExecution_Phase.SUCCEEDED, core.WorkflowExecution_Phase.FAILED].includes(ex.closure!.phase)) return ex;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not finish`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aloft-recover-"));
  aloft = await startAloft({ ...defaultConfig(), port: 0, dataDir: dir, logLevel: "silent" }, { plugins: [counting] });
  client = createClient(service.AdminService, createGrpcTransport({ baseUrl: aloft.server.url }));
  await aloft.ready;
});
afterAll(async () => {
  await aloft?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("recover", () => {
  it("reuses the outputs of nodes that succeeded and runs only the failed one", async () => {
    const first = echoEntities(P, D, "v1", { prefix: "first" });
    first.task.spec!.template!.type = "counted-echo";
    const second = echoEntities(P, D, "v1", { prefix: "second" });
    second.task.spec!.template!.type = "flaky";
    await client.createTask(first.task);
    await client.createTask(second.task);
    const wf = first.workflow;
    const wfId = { ...first.ids.workflow, name: "two.wf" };
    wf.id = create(core.IdentifierSchema, wfId);
    wf.spec!.template!.id = wf.id;
    wf.spec!.template!.nodes.push(
      create(core.NodeSchema, {
        id: "n1",
        metadata: { name: "flaky", retries: {} },
        inputs: [{ var: "x", binding: { value: { case: "promise", value: { nodeId: "n0", var: "x" } } } }],
        target: { case: "taskNode", value: { reference: { case: "referenceId", value: second.ids.task } } },
      }),
    );
    wf.spec!.template!.outputs[0]!.binding = create(core.BindingDataSchema, { value: { case: "promise", value: { nodeId: "n1", var: "x" } } });
    await client.createWorkflow(wf);
    const lpId = { ...first.ids.launchPlan, name: "two.wf" };
    await client.createLaunchPlan({ id: lpId, spec: { workflowId: wfId, entityMetadata: {} } });

    await client.createExecution({ project: P, domain: D, name: "to-recover", spec: { launchPlan: lpId }, inputs: { literals: { x: intLiteral(4) } } });
    expect(core.WorkflowExecution_Phase[(await waitFor("to-recover")).closure!.phase]).toBe("FAILED");
    expect(calls).toEqual({ echo: 1, flaky: 1 });

    const rec = await client.recoverExecution({ id: { project: P, domain: D, name: "to-recover" }, name: "recovered-1" });
    const ex = await waitFor(rec.id!.name);
    const err = ex.closure?.outputResult.case === "error" ? ex.closure.outputResult.value.message : "";
    expect(core.WorkflowExecution_Phase[ex.closure!.phase], err).toBe("SUCCEEDED");
    expect(ex.spec?.metadata?.mode).toBe(admin.ExecutionMetadata_ExecutionMode.RECOVERED);
    expect(calls).toEqual({ echo: 1, flaky: 2 });
    expect((await client.getExecutionData({ id: rec.id })).fullOutputs?.literals.x).toEqual(intLiteral(4));
  });
});
