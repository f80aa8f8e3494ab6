// Where an execution's inputs are kept: small ones in the execution record (no inputs.pb per execution), larger ones
// offloaded to the blob store as flyteadmin does (`inputs`). Either way GetExecutionData returns them, the engine runs with them,
// and relaunch starts from the request's own inputs (defaults applied again).
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { admin, core, service } from "@aloft/idl";
import { startAloft, type Aloft } from "../../src/app.ts";
import { defaultConfig } from "../../src/config.ts";
import { echoEntities, stringLiteral } from "../fixtures/echo.ts";

let aloft: Aloft;
let dir: string;
let client: Client<typeof service.AdminService>;
const P = "flytesnacks";
const D = "development";
const stringType = create(core.LiteralTypeSchema, { type: { case: "simple", value: core.SimpleType.STRING } });
const e = echoEntities(P, D, "v1", {
  type: core.SimpleType.STRING,
  prefix: "inputs",
  lpSpec: { defaultInputs: { parameters: { x: { var: { type: stringType }, behavior: { case: "default", value: stringLiteral("the default") } } } } },
});

const str = (m: core.LiteralMap | undefined) => {
  const v = m?.literals.x?.value;
  return v?.case === "scalar" && v.value.value.case === "primitive" && v.value.value.value.value.case === "stringValue" ? v.value.value.value.value.value : undefined;
};

async function run(name: string, x?: string): Promise<admin.WorkflowExecutionGetDataResponse> {
  await client.createExecution({ project: P, domain: D, name, spec: { launchPlan: e.ids.launchPlan }, inputs: x === undefined ? {} : { literals: { x: stringLiteral(x) } } });
  return finished(name);
}

async function finished(name: string): Promise<admin.WorkflowExecutionGetDataResponse> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ex = await client.getExecution({ id: { project: P, domain: D, name } });
    if (ex.closure?.phase === core.WorkflowExecution_Phase.SUCCEEDED) break;
    if (ex.closure?.phase === core.WorkflowExecution_Phase.FAILED || Date.now() > deadline) throw new Error(`execution ${name}: ${core.WorkflowExecution_Phase[ex.closure?.phase ?? 0]}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return client.getExecutionData({ id: { project: P, domain: D, name } });
}

/** Input blobs (the control plane's `inputs`, the engine's `inputs.pb`) anywhere under the data directory for this execution. */
const inputBlobs = (name: string) => (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.includes(`/${name}/`) && /\/inputs(\.pb)?$/.test(f));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aloft-inputs-"));
  aloft = await startAloft({ ...defaultConfig(), port: 0, dataDir: dir, logLevel: "silent" });
  client = createClient(service.AdminService, createGrpcTransport({ baseUrl: aloft.server.url }));
  await aloft.ready;
  await client.createTask(e.task);
  await client.createWorkflow(e.workflow);
  await client.createLaunchPlan(e.launchPlan);
});
afterAll(async () => {
  await aloft?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("execution inputs", () => {
  it("keeps small inputs in the record: returned inline, no input blob written, and the run uses them", async () => {
    const data = await run("small-inputs", "hello");
    expect(str(data.fullInputs)).toBe("hello");
    expect(str(data.fullOutputs)).toBe("hello");
    expect(data.inputs).toBeUndefined();
    expect(inputBlobs("small-inputs")).toEqual([]);
  });

  it("offloads inputs over 64 KiB to a blob and hands out a download link, as flyteadmin does", async () => {
    const big = "y".repeat(70 * 1024);
    const data = await run("large-inputs", big);
    expect(str(data.fullInputs)).toBe(big);
    expect(str(data.fullOutputs)).toBe(big);
    expect(Number(data.inputs?.bytes)).toBeGreaterThan(64 * 1024);
    expect(data.inputs?.url).toBeTruthy();
    expect(inputBlobs("large-inputs").length).toBeGreaterThan(0);
  });

  it("relaunches from the request's own inputs, kept inline whether or not defaults were added", async () => {
    // No inputs given: the execution runs with the default, and its user inputs (empty) differ from its inputs.
    expect(str((await run("defaulted")).fullInputs)).toBe("the default");
    const relaunched = await client.relaunchExecution({ id: { project: P, domain: D, name: "defaulted" }, name: "defaulted-again" });
    expect(relaunched.id?.name).toBe("defaulted-again");
    expect(str((await finished("defaulted-again")).fullInputs)).toBe("the default");
    await client.relaunchExecution({ id: { project: P, domain: D, name: "small-inputs" }, name: "small-again" });
    expect(str((await finished("small-again")).fullOutputs)).toBe("hello");
    expect(inputBlobs("defaulted")).toEqual([]);
  });
});
