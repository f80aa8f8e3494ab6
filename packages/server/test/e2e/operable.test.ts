// An operator's view of `aloft start`: /healthz, /readyz and /metrics on the server's port, and one log line per
// execution created, finished and failed.
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { core, service } from "@aloft/idl";
import type { TaskPlugin } from "@aloft/engine";
import { startAloft, type Aloft } from "../../src/app.ts";
import { defaultConfig } from "../../src/config.ts";
import { echoEntities, intLiteral } from "../fixtures/echo.ts";

const P = "flytesnacks";
const D = "development";
let dir: string;
let aloft: Aloft;
let client: Client<typeof service.AdminService>;
const lines: Array<Record<string, unknown>> = [];

// A task type that always fails, to see a failed execution reported.
const failing: TaskPlugin = {
  name: "fail",
  canHandle: (t) => t.type === "fail",
  execute: async () => ({ kind: "failure", error: { kind: "USER", code: "Boom", message: "the task failed on purpose", recoverable: false } }),
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aloft-ops-"));
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split("\n")) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  aloft = await startAloft({ ...defaultConfig(), port: 0, dataDir: dir, logLevel: "info" }, { log: pino({ level: "info" }, sink), plugins: [failing] });
  client = createClient(service.AdminService, createGrpcTransport({ baseUrl: aloft.server.url }));
});
afterAll(async () => {
  await aloft?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit) => fetch(`${aloft.server.url}${path}`, init);

async function waitPhase(name: string, phase: core.WorkflowExecution_Phase) {
  for (let i = 0; i < 400; i++) {
    const e = await client.getExecution({ id: { project: P, domain: D, name } });
    if (e.closure?.phase === phase) return e;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`execution ${name} did not reach ${core.WorkflowExecution_Phase[phase]}`);
}

/** The value of one sample of the Prometheus text (labels as written, e.g. `{phase="SUCCEEDED"}`). */
function sample(text: string, name: string, labels = ""): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("operable server", () => {
  it("answers /healthz at once, while the database is still starting", async () => {
    const res = await get("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    // PGlite's first start compiles its WASM for seconds: not ready yet, and says why.
    const ready = await get("/readyz");
    expect(ready.status).toBe(503);
    expect(ready.headers.get("retry-after")).toBe("1");
    expect(await ready.json()).toEqual({ status: "unavailable", reason: "starting: the database and engine are not up yet" });
  });

  it("answers /readyz 200 once started, without an API content type", async () => {
    await aloft.ready;
    const res = await get("/readyz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready" });
  });

  it("puts the front door before the probes: a foreign Host is refused, a POST needs an API content type", async () => {
    // fetch may not set Host; node:http may.
    const foreign = await new Promise<number>((resolve, reject) => {
      const req = http.get(`${aloft.server.url}/metrics`, { headers: { host: "attacker.example" } }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on("error", reject);
    });
    expect(foreign).toBe(403);
    const post = await get("/healthz", { method: "POST", body: "x", headers: { "content-type": "text/plain" } });
    expect(post.status).toBe(415);
    const json = await get("/healthz", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(json.status).toBe(405);
  });

  it("counts executions, nodes, attempts and cache use in /metrics, and logs one line per execution created, finished and failed", async () => {
    await aloft.ready;
    const e = echoEntities(P, D, "v1");
    // A cached task: the second run with the same input is a hit.
    const meta = e.task.spec!.template!.metadata!;
    meta.discoverable = true;
    meta.discoveryVersion = "1";
    await client.createTask(e.task);
    await client.createWorkflow(e.workflow);
    await client.createLaunchPlan(e.launchPlan);
    const f = echoEntities(P, D, "v1", { prefix: "failing" });
    f.task.spec!.template!.type = "fail";
    await client.createTask(f.task);
    await client.createWorkflow(f.workflow);
    await client.createLaunchPlan(f.launchPlan);

    const before = await (await get("/metrics")).text();
    expect(sample(before, "aloft_executions_created_total")).toBe(0);

    const first = await client.createExecution({ project: P, domain: D, name: "ops-first", spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(7) } } });
    await waitPhase(first.id!.name, core.WorkflowExecution_Phase.SUCCEEDED);
    await client.createExecution({ project: P, domain: D, name: "ops-second", spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(7) } } });
    await waitPhase("ops-second", core.WorkflowExecution_Phase.SUCCEEDED);
    await client.createExecution({ project: P, domain: D, name: "ops-failing", spec: { launchPlan: f.ids.launchPlan }, inputs: { literals: { x: intLiteral(1) } } });
    await waitPhase("ops-failing", core.WorkflowExecution_Phase.FAILED);

    let text = "";
    // Node and task events of the last execution may arrive just after its phase.
    for (let i = 0; i < 100; i++) {
      const res = await get("/metrics");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      text = await res.text();
      if (sample(text, "aloft_node_executions_total", '{phase="FAILED"}') === 1) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(sample(text, "aloft_executions_created_total")).toBe(3);
    expect(sample(text, "aloft_executions_finished_total", '{phase="SUCCEEDED"}')).toBe(2);
    expect(sample(text, "aloft_executions_finished_total", '{phase="FAILED"}')).toBe(1);
    expect(sample(text, "aloft_execution_duration_seconds_count", '{phase="SUCCEEDED"}')).toBe(2);
    expect(sample(text, "aloft_node_executions_total", '{phase="SUCCEEDED"}')).toBe(2);
    expect(sample(text, "aloft_node_executions_total", '{phase="FAILED"}')).toBe(1);
    // The cache hit ran no attempt: one succeeded (the first run), one failed.
    expect(sample(text, "aloft_task_attempts_total", '{phase="SUCCEEDED"}')).toBe(1);
    expect(sample(text, "aloft_task_attempts_total", '{phase="FAILED"}')).toBe(1);
    expect(sample(text, "aloft_cache_hits_total")).toBe(1);
    expect(sample(text, "aloft_cache_misses_total")).toBe(1);
    expect(sample(text, "aloft_engine_executions")).toBe(0);
    expect(sample(text, "aloft_engine_running_nodes")).toBe(0);
    expect(sample(text, "aloft_engine_paused")).toBe(0);
    expect(sample(text, "aloft_database_reachable")).toBe(1);
    expect(sample(text, "aloft_database_statement_duration_seconds_count", '{outcome="ok"}')).toBeGreaterThan(10);
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(10 * 1024 * 1024);
    expect(sample(text, "process_open_fds")).toBeGreaterThan(0);

    const about = (name: string) => lines.filter((l) => (l.execution as { name?: string } | undefined)?.name === name);
    const first3 = about("ops-first");
    expect(first3.map((l) => l.msg)).toEqual(["execution created", "execution finished"]);
    expect(first3.every((l) => l.level === 30)).toBe(true);
    expect(first3[0]).toMatchObject({ execution: { project: P, domain: D, name: "ops-first" }, phase: "QUEUED", launchPlan: `${P}/${D}/echo.wf/v1` });
    expect(first3[1]).toMatchObject({ phase: "SUCCEEDED" });
    expect(typeof first3[1]!.durationMs).toBe("number");
    const failed = about("ops-failing");
    expect(failed.map((l) => l.msg)).toEqual(["execution created", "execution failed"]);
    expect(failed[1]).toMatchObject({ phase: "FAILED", error: { code: "Boom", kind: "USER" } });
    expect((failed[1]!.error as { message: string }).message).toContain("the task failed on purpose");
  });
});
