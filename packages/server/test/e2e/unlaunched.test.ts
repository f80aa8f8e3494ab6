// Executions recorded but never started (the server stopped between writing the record and handing it to the
// engine, e.g. when its disk filled) are failed at the next start with the reason, so none stays UNDEFINED; a create
// whose launch fails leaves a FAILED record, never an UNDEFINED one, and its client is told to retry.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import pino from "pino";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { admin, core, service } from "@aloft/idl";
import { StoreFaultError } from "@aloft/engine";
import { createTestPostgres } from "@aloft/engine/test-postgres";
import { startAloft } from "../../src/app.ts";
import { defaultConfig } from "../../src/config.ts";
import { echoEntities, intLiteral } from "../fixtures/echo.ts";
import { startHarness, type Harness } from "../harness.ts";
import type { ExecutionRow } from "../../src/db/schema.ts";

const P = "flytesnacks";
const D = "development";
const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function waitPhase(client: ReturnType<typeof createClient<typeof service.AdminService>>, name: string, phase: core.WorkflowExecution_Phase) {
  for (let i = 0; i < 400; i++) {
    const e = await client.getExecution({ id: { project: P, domain: D, name } });
    if (e.closure?.phase === phase) return e;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`execution ${name} did not reach ${core.WorkflowExecution_Phase[phase]}`);
}

describe("executions that never started", () => {
  it("are marked FAILED with the reason at the next start; executions that ran are untouched", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aloft-unlaunched-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    // PostgreSQL starts in milliseconds where PGlite compiles its WASM for seconds; the sweep is the same SQL on both.
    const pg = await createTestPostgres("aloft_unlaunched");
    cleanup.push(() => pg.drop());
    const config = { ...defaultConfig(), port: 0, dataDir: dir, databaseUrl: pg.url, logLevel: "silent" as const };

    const first = await startAloft(config);
    let ctx;
    try {
      ctx = await first.ready;
      const client = createClient(service.AdminService, createGrpcTransport({ baseUrl: first.server.url }));
      const e = echoEntities(P, D, "v1");
      await client.createTask(e.task);
      await client.createWorkflow(e.workflow);
      await client.createLaunchPlan(e.launchPlan);
      await client.createExecution({ project: P, domain: D, name: "ran", spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(3) } } });
      await waitPhase(client, "ran", core.WorkflowExecution_Phase.SUCCEEDED);
      // What a create leaves when the server stops right after recording it: the record as CreateExecution writes it
      // (phase UNDEFINED), and nothing in the engine.
      const ran = (await ctx.db.selectFrom("admin_executions").selectAll().where("name", "=", "ran").executeTakeFirstOrThrow()) as ExecutionRow;
      const closure = fromBinary(admin.ExecutionClosureSchema, ran.closure);
      closure.phase = core.WorkflowExecution_Phase.UNDEFINED;
      closure.outputResult = { case: undefined };
      for (const name of ["stranded-1", "stranded-2"]) {
        await ctx.db.insertInto("admin_executions").values({ ...ran, name, phase: "UNDEFINED", closure: toBinary(admin.ExecutionClosureSchema, closure), started_at: null, duration_ms: 0, error_code: null, error_kind: null }).execute();
      }
      expect((await client.listExecutions({ id: { project: P, domain: D }, limit: 10, filters: "eq(phase,UNDEFINED)" })).executions).toHaveLength(2);
    } finally {
      await first.close();
    }

    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split("\n")) if (l.trim()) lines.push(JSON.parse(l));
        done();
      },
    });
    const second = await startAloft({ ...config, logLevel: "info" }, { log: pino({ level: "info" }, sink) });
    try {
      await second.ready;
      const client = createClient(service.AdminService, createGrpcTransport({ baseUrl: second.server.url }));
      expect((await client.listExecutions({ id: { project: P, domain: D }, limit: 10, filters: "eq(phase,UNDEFINED)" })).executions).toHaveLength(0);
      for (const name of ["stranded-1", "stranded-2"]) {
        const x = await client.getExecution({ id: { project: P, domain: D, name } });
        expect(x.closure?.phase).toBe(core.WorkflowExecution_Phase.FAILED);
        const err = x.closure?.outputResult.case === "error" ? x.closure.outputResult.value : undefined;
        expect(err?.code).toBe("LaunchFailed");
        expect(err?.kind).toBe(core.ExecutionError_ErrorKind.SYSTEM);
        expect(err?.message).toMatch(/it never ran: create it again/);
        expect(lines.find((l) => l.msg === "execution failed" && (l.execution as { name: string }).name === name)).toMatchObject({ phase: "FAILED", error: { code: "LaunchFailed" } });
      }
      expect((await client.getExecution({ id: { project: P, domain: D, name: "ran" } })).closure?.phase).toBe(core.WorkflowExecution_Phase.SUCCEEDED);
      const metrics = await (await fetch(`${second.server.url}/metrics`)).text();
      expect(metrics).toContain('aloft_executions_finished_total{phase="FAILED"} 2');
    } finally {
      await second.close();
    }
  });
});

describe("a create whose launch fails", () => {
  let h: Harness;
  it("answers UNAVAILABLE with a retry hint over gRPC and Connect, and leaves the record FAILED with the reason", async () => {
    const fault = new StoreFaultError("RESOURCE_EXHAUSTED", "blob store", "is out of space", 5000);
    h = await startHarness({ postgres: true, launcher: { launch: async () => Promise.reject(fault), terminate: async () => {}, setSignal: async () => {} } });
    cleanup.push(() => h.close());
    const grpc = createClient(service.AdminService, createGrpcTransport({ baseUrl: h.server.url }));
    const e = echoEntities(P, D, "v1");
    await h.ctx.db.insertInto("admin_projects").values({ identifier: P, name: P, description: "", labels: null, state: 0, org: "", created_at: new Date(), updated_at: new Date() }).execute();
    await grpc.createTask(e.task);
    await grpc.createWorkflow(e.workflow);
    await grpc.createLaunchPlan(e.launchPlan);
    const request = (name: string) => create(admin.ExecutionCreateRequestSchema, { project: P, domain: D, name, spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(1) } } });

    const err = await grpc.createExecution(request("full-1")).then(() => undefined, (x: unknown) => ConnectError.from(x));
    expect(err?.code).toBe(Code.ResourceExhausted);
    expect(err?.rawMessage).toBe("blob store is out of space; retry in 5 s");
    expect(err?.metadata.get("retry-after")).toBe("5");
    expect(err?.metadata.get("grpc-retry-pushback-ms")).toBe("5000");

    const connect = createClient(service.AdminService, createConnectTransport({ baseUrl: h.server.url, httpVersion: "1.1" }));
    const err2 = await connect.createExecution(request("full-2")).then(() => undefined, (x: unknown) => ConnectError.from(x));
    expect(err2?.code).toBe(Code.ResourceExhausted);
    expect(err2?.metadata.get("retry-after")).toBe("5");

    for (const name of ["full-1", "full-2"]) {
      const x = await grpc.getExecution({ id: { project: P, domain: D, name } });
      expect(x.closure?.phase).toBe(core.WorkflowExecution_Phase.FAILED);
      expect(x.closure?.outputResult.case === "error" && x.closure.outputResult.value.message).toBe("blob store is out of space; retry in 5 s");
    }
    expect((await grpc.listExecutions({ id: { project: P, domain: D }, limit: 10, filters: "eq(phase,UNDEFINED)" })).executions).toHaveLength(0);
  });
});
