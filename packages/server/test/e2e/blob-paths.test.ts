// flytekit's FlyteRemote turns a blob literal into a FlyteFile and checks a URI without a remote scheme with
// os.path.isfile as given, so a file:// URI of the filesystem store fails ("Expected a file, but file:///… is
// not a file"). GetExecutionData, GetNodeExecutionData and GetTaskExecutionData answer such blobs as paths.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { core, service } from "@aloft/idl";
import { startAloft, type Aloft } from "../../src/app.ts";
import { defaultConfig } from "../../src/config.ts";
import { echoEntities } from "../fixtures/echo.ts";

let aloft: Aloft;
let dir: string;
let client: Client<typeof service.AdminService>;
const P = "flytesnacks";
const D = "development";

const fileType = create(core.LiteralTypeSchema, { type: { case: "blob", value: { format: "", dimensionality: core.BlobType_BlobDimensionality.SINGLE } } });
const blob = (uri: string) => create(core.LiteralSchema, { value: { case: "scalar", value: { value: { case: "blob", value: { uri, metadata: { type: { dimensionality: core.BlobType_BlobDimensionality.SINGLE } } } } } } });
const uriOf = (l: core.Literal | undefined) => (l?.value.case === "scalar" && l.value.value.value.case === "blob" ? l.value.value.value.value.uri : undefined);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aloft-blob-paths-"));
  aloft = await startAloft({ ...defaultConfig(), port: 0, dataDir: dir, logLevel: "silent" });
  client = createClient(service.AdminService, createGrpcTransport({ baseUrl: aloft.server.url }));
  await aloft.ready;
});
afterAll(async () => {
  await aloft?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("blob literals read back by clients", () => {
  it("are paths for file:// URIs (inputs and outputs of the execution, its nodes and task executions), unchanged otherwise", async () => {
    const e = echoEntities(P, D, "v1", { prefix: "blobs" });
    for (const iface of [e.task.spec!.template!.interface!, e.workflow.spec!.template!.interface!]) {
      iface.inputs!.variables.x!.type = fileType;
      iface.outputs!.variables.x!.type = fileType;
    }
    await client.createTask(e.task);
    await client.createWorkflow(e.workflow);
    await client.createLaunchPlan(e.launchPlan);
    const path = join(dir, "blobs", "uploads", "three.txt");
    for (const [given, expected] of [[`file://${path}`, path], ["s3://bucket/three.txt", "s3://bucket/three.txt"]] as const) {
      const res = await client.createExecution({ project: P, domain: D, spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: blob(given) } } });
      for (;;) {
        const ex = await client.getExecution({ id: res.id });
        if (ex.closure?.phase === core.WorkflowExecution_Phase.SUCCEEDED) break;
        expect(ex.closure?.phase).not.toBe(core.WorkflowExecution_Phase.FAILED);
        await new Promise((r) => setTimeout(r, 50));
      }
      const data = await client.getExecutionData({ id: res.id });
      expect([uriOf(data.fullInputs?.literals.x), uriOf(data.fullOutputs?.literals.x)]).toEqual([expected, expected]);
      const nodeId = create(core.NodeExecutionIdentifierSchema, { nodeId: "n0", executionId: res.id });
      const node = await client.getNodeExecutionData({ id: nodeId });
      expect([uriOf(node.fullInputs?.literals.x), uriOf(node.fullOutputs?.literals.x)]).toEqual([expected, expected]);
      const tasks = await client.listTaskExecutions({ nodeExecutionId: nodeId, limit: 10 });
      const task = await client.getTaskExecutionData({ id: tasks.taskExecutions[0]!.id });
      expect(uriOf(task.fullOutputs?.literals.x)).toBe(expected);
    }
  });
});
