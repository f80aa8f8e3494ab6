// `aloft start` on real PostgreSQL reached through a TCP proxy the test cuts (as a database restart or a network
// outage does): while the database is away every RPC answers UNAVAILABLE with a retry hint, /readyz says why, and
// the engine pauses; once it is back everything resumes by itself, with no execution lost, duplicated or left behind.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { core, service } from "@aloft/idl";
import type { TaskPlugin } from "@aloft/engine";
import { createTestPostgres, startTcpProxy, type TcpProxy, type TestPostgres } from "@aloft/engine/test-postgres";
import { startAloft, type Aloft } from "../../src/app.ts";
import { defaultConfig } from "../../src/config.ts";
import { echoEntities, intLiteral } from "../fixtures/echo.ts";

const P = "flytesnacks";
const D = "development";
let pg: TestPostgres;
let proxy: TcpProxy;
let dir: string;
let aloft: Aloft;
let grpc: Client<typeof service.AdminService>;
let connect: Client<typeof service.AdminService>;
/** Attempts each execution's task ran, by execution name. */
const runs = new Map<string, number>();
let hold: Promise<void> = Promise.resolve();

// A task that counts its runs and waits for the test, so executions are mid-flight when the database goes.
const held: TaskPlugin = {
  name: "held",
  canHandle: (t) => t.type === "held",
  async execute(ctx) {
    runs.set(ctx.executionId.name, (runs.get(ctx.executionId.name) ?? 0) + 1);
    await hold;
    return { kind: "success", outputs: ctx.inputs };
  },
};

beforeAll(async () => {
  pg = await createTestPostgres("aloft_outage");
  proxy = await startTcpProxy("127.0.0.1:5432");
  dir = mkdtempSync(join(tmpdir(), "aloft-outage-"));
  aloft = await startAloft({ ...defaultConfig(), port: 0, dataDir: dir, databaseUrl: proxy.via(pg.url), logLevel: "silent" }, { plugins: [held] });
  await aloft.ready;
  grpc = createClient(service.AdminService, createGrpcTransport({ baseUrl: aloft.server.url }));
  connect = createClient(service.AdminService, createConnectTransport({ baseUrl: aloft.server.url, httpVersion: "1.1" }));
});
afterAll(async () => {
  await proxy?.restore();
  await aloft?.close();
  await proxy?.close();
  await pg?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const get = (path: string) => fetch(`${aloft.server.url}${path}`);
const rpcError = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => ConnectError.from(e));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a PostgreSQL outage", () => {
  it("answers UNAVAILABLE with a retry hint while the database is away, and resumes by itself with no execution lost or duplicated", async () => {
    const e = echoEntities(P, D, "v1");
    e.task.spec!.template!.type = "held";
    await grpc.createTask(e.task);
    await grpc.createWorkflow(e.workflow);
    await grpc.createLaunchPlan(e.launchPlan);
    const launch = (name: string, x: number) => grpc.createExecution({ project: P, domain: D, name, spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(x) } } });

    await launch("before", 1);
    await until("before to succeed", async () => ((await grpc.getExecution({ id: { project: P, domain: D, name: "before" } })).closure?.phase === core.WorkflowExecution_Phase.SUCCEEDED ? true : undefined));

    // Three executions whose tasks are running when the database goes away; they finish during the outage.
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    for (const [i, name] of ["during-1", "during-2", "during-3"].entries()) await launch(name, 10 + i);
    await until("the held tasks to start", async () => (runs.size === 4 ? true : undefined));

    await proxy.cut();
    const outageStarted = Date.now();
    release();

    // Every RPC that needs the database: UNAVAILABLE, promptly, with a retry hint, on gRPC, Connect and REST.
    const t0 = Date.now();
    const created = await rpcError(launch("while-down", 99));
    expect(created?.code).toBe(Code.Unavailable);
    expect(created?.rawMessage).toMatch(/^database is unreachable \(.+\); retry in 1 s$/);
    expect(created?.metadata.get("retry-after")).toBe("1");
    expect(created?.metadata.get("grpc-retry-pushback-ms")).toBe("1000");
    const listed = await rpcError(grpc.listExecutions({ id: { project: P, domain: D }, limit: 10 }));
    expect(listed?.code).toBe(Code.Unavailable);
    const got = await rpcError(connect.getExecution({ id: { project: P, domain: D, name: "before" } }));
    expect(got?.code).toBe(Code.Unavailable);
    expect(got?.metadata.get("retry-after")).toBe("1");
    const rest = await get(`/api/v1/executions/${P}/${D}/before`);
    expect(rest.status).toBe(503);
    expect(rest.headers.get("retry-after")).toBe("1");
    expect(((await rest.json()) as { message: string }).message).toMatch(/^database is unreachable/);
    expect(Date.now() - t0).toBeLessThan(5_000);

    const readyz = await get("/readyz");
    expect(readyz.status).toBe(503);
    expect(readyz.headers.get("retry-after")).toBe("1");
    expect(((await readyz.json()) as { reason: string }).reason).toMatch(/^(database is unreachable|engine paused: database is unreachable)/);
    expect((await get("/healthz")).status).toBe(200);
    const during = await (await get("/metrics")).text();
    expect(during).toMatch(/^aloft_database_reachable 0$/m);
    // The held tasks finished while the database was away: the engine waits to record them.
    await until("the engine to pause", async () => ((await (await get("/metrics")).text()).match(/^aloft_engine_paused 1$/m) ? true : undefined), 10_000);

    // Hold the outage a few seconds (the engine's backoff grows meanwhile), then give the database back.
    await new Promise((r) => setTimeout(r, Math.max(0, 3_000 - (Date.now() - outageStarted))));
    await proxy.restore();
    const restored = Date.now();
    await until("/readyz to answer 200", async () => ((await get("/readyz")).status === 200 ? true : undefined));
    const recoveryMs = Date.now() - restored;
    expect(recoveryMs).toBeLessThan(15_000);

    // Nothing lost: the executions in flight finish; a new one runs; nothing was created by the refused call.
    for (const name of ["during-1", "during-2", "during-3"]) {
      await until(`${name} to succeed`, async () => ((await grpc.getExecution({ id: { project: P, domain: D, name } })).closure?.phase === core.WorkflowExecution_Phase.SUCCEEDED ? true : undefined));
    }
    await launch("after", 5);
    await until("after to succeed", async () => ((await grpc.getExecution({ id: { project: P, domain: D, name: "after" } })).closure?.phase === core.WorkflowExecution_Phase.SUCCEEDED ? true : undefined));
    const all = await grpc.listExecutions({ id: { project: P, domain: D }, limit: 100 });
    expect(all.executions.map((x) => x.id!.name).sort()).toEqual(["after", "before", "during-1", "during-2", "during-3"]);
    expect(all.executions.every((x) => x.closure?.phase === core.WorkflowExecution_Phase.SUCCEEDED)).toBe(true);
    const outputs = await grpc.getExecutionData({ id: { project: P, domain: D, name: "during-2" } });
    expect(outputs.fullOutputs?.literals.x).toEqual(intLiteral(11));
    // Nothing duplicated: each task ran once, and each node has one attempt on record.
    expect(Object.fromEntries(runs)).toEqual({ before: 1, "during-1": 1, "during-2": 1, "during-3": 1, after: 1 });
    for (const name of ["during-1", "during-2", "during-3"]) {
      const tasks = await grpc.listTaskExecutions({ nodeExecutionId: { executionId: { project: P, domain: D, name }, nodeId: "n0" }, limit: 10 });
      expect(tasks.taskExecutions.map((t) => t.closure?.phase)).toEqual([core.TaskExecution_Phase.SUCCEEDED]);
    }
    const after = await (await get("/metrics")).text();
    expect(after).toMatch(/^aloft_database_reachable 1$/m);
    expect(after).toMatch(/^aloft_engine_paused 0$/m);
    expect(after).toMatch(/^aloft_executions_finished_total\{phase="SUCCEEDED"\} 5$/m);
    console.log(`database outage: recovered ${recoveryMs} ms after the database returned`);
  });
});
