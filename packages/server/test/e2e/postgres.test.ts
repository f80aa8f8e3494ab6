// `aloft start` on PostgreSQL instead of the embedded database: the same SQL runs executions end to end.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { core, service } from "@aloft/idl";
import { startAloft, type Aloft } from "../../src/app.ts";
import { defaultConfig } from "../../src/config.ts";
import { echoEntities, intLiteral } from "../fixtures/echo.ts";
import { createTestPostgres, type TestPostgres } from "@aloft/engine/test-postgres";

const P = "flytesnacks";
const D = "development";
let pgServer: TestPostgres;
let aloft: Aloft;
let dir: string;
let client: Client<typeof service.AdminService>;

beforeAll(async () => {
  pgServer = await createTestPostgres("aloft_server");
  dir = mkdtempSync(join(tmpdir(), "aloft-pg-"));
  aloft = await startAloft({ ...defaultConfig(), port: 0, dataDir: dir, databaseUrl: pgServer.url, logLevel: "silent" });
  client = createClient(service.AdminService, createGrpcTransport({ baseUrl: aloft.server.url }));
  await aloft.ready;
});
afterAll(async () => {
  await aloft?.close();
  rmSync(dir, { recursive: true, force: true });
  await pgServer?.drop();
});

describe("on PostgreSQL", () => {
  it("registers, runs concurrent executions to completion and filters them", async () => {
    const e = echoEntities(P, D, "v1");
    await client.createTask(e.task);
    await client.createWorkflow(e.workflow);
    await client.createLaunchPlan(e.launchPlan);
    const ids = await Promise.all([1, 2, 3, 4, 5, 6].map((x) => client.createExecution({ project: P, domain: D, spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(x) } } })));
    for (let i = 0; ; i++) {
      const done = await client.listExecutions({ id: { project: P, domain: D }, limit: 100, filters: "eq(phase,SUCCEEDED)" });
      if (done.executions.length === ids.length) break;
      if (i > 400) throw new Error(`only ${done.executions.length} of ${ids.length} succeeded`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const data = await client.getExecutionData({ id: ids[3]!.id });
    expect(data.fullOutputs?.literals.x).toEqual(intLiteral(4));
    const nodes = await client.listNodeExecutions({ workflowExecutionId: ids[0]!.id, limit: 10 });
    expect(nodes.nodeExecutions.find((n) => n.id?.nodeId === "n0")?.closure?.phase).toBe(core.NodeExecution_Phase.SUCCEEDED);
  });
});
