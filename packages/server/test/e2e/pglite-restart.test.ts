// `aloft start`'s embedded database losing its PGlite worker thread while executions are created and listed over
// gRPC: requests answer UNAVAILABLE (never hang, never INTERNAL), a new worker serves the same data directory, and
// every execution that was accepted finishes once.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { core, service } from "@aloft/idl";
import { startAloft, type Aloft } from "../../src/app.ts";
import { defaultConfig } from "../../src/config.ts";
import { echoEntities, intLiteral } from "../fixtures/echo.ts";

let aloft: Aloft;
let dir: string;
let client: Client<typeof service.AdminService>;
const P = "flytesnacks";
const D = "development";
const e = echoEntities(P, D, "v1");
const create = (name: string) => client.createExecution({ project: P, domain: D, name, spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(1) } } });
const codeOf = (p: Promise<unknown>) => p.then(() => "ok", (x: unknown) => (x instanceof ConnectError ? Code[x.code] : String(x)));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aloft-pglite-restart-"));
  aloft = await startAloft({ ...defaultConfig(), port: 0, dataDir: dir, logLevel: "silent" });
  client = createClient(service.AdminService, createGrpcTransport({ baseUrl: aloft.server.url }));
  await aloft.ready;
  await client.createTask(e.task);
  await client.createWorkflow(e.workflow);
  await client.createLaunchPlan(e.launchPlan);
}, 60_000);
afterAll(async () => {
  await aloft?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the embedded database's worker dying", () => {
  it("answers UNAVAILABLE while it restarts, then serves again with every accepted execution finished once", async () => {
    const accepted: string[] = [];
    const outcomes: string[] = [];
    let i = 0;
    const createSome = async (n: number) => {
      const names = Array.from({ length: n }, () => `r${i++}`);
      const got = await Promise.all(names.map((name) => codeOf(create(name))));
      got.forEach((o, k) => {
        outcomes.push(o);
        if (o === "ok") accepted.push(names[k]!);
      });
    };
    await createSome(20);
    await aloft.database!.crashWorker!();
    // Straight after the death: a list and creates are refused as UNAVAILABLE, with a retry hint.
    const list = await client.listExecutions({ id: { project: P, domain: D }, limit: 10 }).then(() => undefined, (x: unknown) => x as ConnectError);
    expect(list?.code).toBe(Code.Unavailable);
    expect(list?.rawMessage).toBe("database is restarting (its PGlite worker stopped); retry in 1 s");
    await createSome(5);
    // Until it is back: every answer is ok or UNAVAILABLE, never INTERNAL and never a hang.
    const end = Date.now() + 30_000;
    for (;;) {
      const r = await codeOf(client.listExecutions({ id: { project: P, domain: D }, limit: 1 }));
      if (r === "ok") break;
      expect(r).toBe("Unavailable");
      if (Date.now() > end) throw new Error("the database did not come back");
      await new Promise((r) => setTimeout(r, 100));
    }
    await createSome(10);
    expect(new Set(outcomes)).toEqual(new Set(["ok", "Unavailable"]));
    expect(outcomes.filter((o) => o === "Unavailable").length).toBeGreaterThan(0);
    // Every accepted execution finishes; no refused one exists; none is listed twice.
    const done = Date.now() + 30_000;
    let listed: string[] = [];
    for (;;) {
      const r = await client.listExecutions({ id: { project: P, domain: D }, limit: 100 });
      listed = r.executions.map((x) => x.id!.name);
      if (r.executions.every((x) => x.closure?.phase === core.WorkflowExecution_Phase.SUCCEEDED) && listed.length >= accepted.length) break;
      if (Date.now() > done) throw new Error(`executions not finished: ${r.executions.map((x) => `${x.id!.name}=${core.WorkflowExecution_Phase[x.closure?.phase ?? 0]}`).join(" ")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(listed.sort()).toEqual([...accepted].sort());
  }, 90_000);
});
