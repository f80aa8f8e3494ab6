// The remote path end to end: `aloft start` in process with the TypeScript task plugin, `aloft register` of a
// TypeScript project (code bundle uploaded through DataProxy), a launch over REST, and node executions and
// outputs read back over gRPC; then `aloft get` and `aloft launch --wait` against the same server.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, fromJson, toJson } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { admin, core, service } from "@aloft/idl";
import { register } from "../commands/register.ts";
import { get } from "../commands/get.ts";
import { launch } from "../commands/launch.ts";
import { captureIO, startTestServer, type TestServer } from "../../test/server.ts";

const flowFile = fileURLToPath(new URL("./testdata/remote-flow.ts", import.meta.url));
let server: TestServer;
let endpoint: string;

beforeAll(async () => {
  server = await startTestServer();
  endpoint = server.endpoint;
});
afterAll(() => server?.close());

describe("remote workflow lifecycle", () => {
  it("registers with the CLI, launches over REST and reads node executions and outputs over gRPC", async () => {
    const io = captureIO();
    expect(await register.run(["--endpoint", endpoint, "--version", "r1", flowFile], io)).toBe(0);
    expect(io.stdout[0]).toMatch(/registered 3 task\(s\), 2 workflow\(s\), 2 launch plan\(s\) as version r1/);
    expect(io.stdout[1]).toMatch(/^code bundle: file:\/\/.*bundle\.mjs$/);

    const grpc = createClient(service.AdminService, createGrpcTransport({ baseUrl: endpoint }));
    const lps = await grpc.listLaunchPlans({ id: { project: "flytesnacks", domain: "development" }, limit: 10 });
    const lp = lps.launchPlans.find((l) => l.id?.version === "r1" && l.id.name.endsWith("quadruple"))!;
    expect(lp.id?.name).toMatch(/quadruple$/);

    const req = create(admin.ExecutionCreateRequestSchema, {
      project: "flytesnacks",
      domain: "development",
      name: "remote-rest-1",
      spec: { launchPlan: lp.id },
      inputs: { literals: { x: { value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "integer", value: 5n } } } } } } } },
    });
    const res = await fetch(`${endpoint}/api/v1/executions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(toJson(admin.ExecutionCreateRequestSchema, req)) });
    expect(res.status).toBe(200);
    const id = fromJson(admin.ExecutionCreateResponseSchema, (await res.json()) as never).id!;

    let ex: admin.Execution;
    for (let i = 0; ; i++) {
      ex = await grpc.getExecution({ id });
      if ([core.WorkflowExecution_Phase.SUCCEEDED, core.WorkflowExecution_Phase.FAILED].includes(ex.closure!.phase)) break;
      if (i > 400) throw new Error("execution did not finish");
      await new Promise((r) => setTimeout(r, 50));
    }
    const err = ex.closure?.outputResult.case === "error" ? ex.closure.outputResult.value.message : "";
    expect(core.WorkflowExecution_Phase[ex.closure!.phase], err).toBe("SUCCEEDED");
    const data = await grpc.getExecutionData({ id });
    const y = data.fullOutputs?.literals.y?.value;
    expect(y?.case === "scalar" && y.value.value.case === "primitive" ? y.value.value.value.value.value : undefined).toBe(20n);
    const nodes = await grpc.listNodeExecutions({ workflowExecutionId: id, limit: 100 });
    const succeeded = nodes.nodeExecutions.filter((n) => n.closure?.phase === core.NodeExecution_Phase.SUCCEEDED).map((n) => n.id?.nodeId);
    expect(succeeded.length).toBeGreaterThanOrEqual(3);
    // The engine reports in-process nodes' inputs inline; FlyteRemote reads them as the node's full inputs.
    const firstDouble = await grpc.getNodeExecutionData({ id: { executionId: id, nodeId: "n0" } });
    const x = firstDouble.fullInputs?.literals.x?.value;
    expect(x?.case === "scalar" && x.value.value.case === "primitive" ? x.value.value.value.value.value : undefined).toBe(5n);
  });

  it("lists what was registered and launches with --wait, printing the outputs", async () => {
    const io = captureIO();
    expect(await get.run(["--endpoint", endpoint, "workflows"], io)).toBe(0);
    expect(io.stdout.join("\n")).toMatch(/quadruple/);
    const lpName = io.stdout.join("\n").split("\n").find((l) => l.includes("quadruple"))!.trim();
    const io2 = captureIO();
    expect(await launch.run(["--endpoint", endpoint, "--wait", lpName, "--x", "3"], io2)).toBe(0);
    expect(io2.stdout.join("\n")).toMatch(/12/);
    expect(io2.stderr.join("\n")).toMatch(/SUCCEEDED/);
    const bad = captureIO();
    await expect(launch.run(["--endpoint", endpoint, lpName, "--x", "three"], bad)).rejects.toThrow("--x expects an integer");
    await expect(launch.run(["--endpoint", endpoint, lpName, "--nope", "1"], bad)).rejects.toThrow("unknown input --nope");
  });

  it("runs TypeScript tasks in the engine's worker pool, not on the server's thread", async () => {
    const io = captureIO();
    expect(await get.run(["--endpoint", endpoint, "launchplans"], io)).toBe(0);
    const lpName = io.stdout.join("\n").split("\n").find((l) => l.includes("whereTasksRun"))!.trim();
    const run = captureIO();
    expect(await launch.run(["--endpoint", endpoint, "--wait", lpName, "--salt", "1"], run)).toBe(0);
    const thread = /thread\D+(\d+)/.exec(run.stdout.join("\n"));
    expect(thread, run.stdout.join("\n")).not.toBeNull();
    expect(Number(thread![1])).toBeGreaterThan(0);
  });
});
