// PGlite's worker dying under load: statements fail UNAVAILABLE while a new worker starts on the same data directory,
// then everything resumes; the engine finishes every execution once, none lost, none doubled.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { types } from "@aloft/idl";
import { createEngine } from "../engine.ts";
import { MemoryBlobStore } from "../runtime/memory-blob-store.ts";
import { engineMigrations } from "../store/migrations.ts";
import { closure, executionId, promise, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { FunctionPlugin } from "../testing/function-plugin.ts";
import { int, ints } from "../testing/values.ts";
import { openDatabase } from "./database.ts";
import { StoreFaultError } from "./faults.ts";

const dir = mkdtempSync(join(tmpdir(), "aloft-pglite-supervisor-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until(what: string, ms: number, probe: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a PGlite worker that dies", () => {
  it("answers UNAVAILABLE, is restarted on the same data directory and keeps every committed row", async () => {
    const warnings: string[] = [];
    const db = await openDatabase({ dataDir: join(dir, "rows"), migrations: [], maintenance: false, onWarning: (m) => warnings.push(m) });
    try {
      await sql`create table t (id int primary key)`.execute(db.kysely);
      await sql`insert into t select generate_series(1, 100)`.execute(db.kysely);
      // Busy in WASM when the thread ends.
      const pending = sql`select count(*) from generate_series(1, 300000000)`.execute(db.kysely);
      await new Promise((r) => setTimeout(r, 100));
      await db.crashWorker!();
      const err = await pending.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(StoreFaultError);
      expect((err as StoreFaultError).code).toBe("UNAVAILABLE");
      expect((err as StoreFaultError).message).toBe("database is restarting (its PGlite worker stopped); retry in 1 s");
      expect(db.health.reachable).toBe(false);
      await until("the restarted worker", 30_000, () => db.ping().then(() => true, () => false));
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from t`.execute(db.kysely);
      expect(rows[0]!.n).toBe(100);
      expect(db.health.reachable).toBe(true);
      expect(warnings[0]).toMatch(/^the PGlite worker stopped \(PGlite worker exited unexpectedly \(exit code 1\)\); restarting it/);
    } finally {
      await db.close();
    }
  }, 60_000);

  it("lets the engine finish every execution exactly once when the worker dies mid-run", async () => {
    const db = await openDatabase({ dataDir: join(dir, "engine"), migrations: engineMigrations, maintenance: false, onWarning: () => {} });
    const inc = task("inc", { x: types.integer() }, { o: types.integer() });
    const wf: WorkflowSpec = {
      name: "two",
      inputs: { a: types.integer() },
      outputs: { r: types.integer() },
      nodes: [taskNode("n0", inc, { x: promise("start-node", "a") }), taskNode("n1", inc, { x: promise("n0", "o") })],
      outputBindings: { r: promise("n1", "o") },
    };
    const plugin = new FunctionPlugin({
      inc: async (i) => {
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
        return { kind: "success", outputs: ints({ o: int(i, "x") + 1 }) };
      },
    });
    const pauses: string[] = [];
    let resumes = 0;
    const engine = createEngine({
      store: db,
      blobStore: new MemoryBlobStore(),
      plugins: [plugin],
      onError: () => {},
      onPause: { paused: (f) => pauses.push(f.message), resumed: () => resumes++ },
    });
    try {
      await engine.start();
      const c = closure(wf, [inc]);
      const ids = Array.from({ length: 30 }, (_, i) => executionId(`crash-${i}`));
      for (const [i, id] of ids.entries()) await engine.createExecution({ id, closure: c, inputs: ints({ a: i }) });
      // A wait that reads the store (its execution already finished) may meet the restart: asked again, as a client would.
      const retried = async <T>(f: () => Promise<T>): Promise<T> => {
        for (;;) {
          try {
            return await f();
          } catch (err) {
            if (!(err instanceof StoreFaultError)) throw err;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      };
      const done = Promise.all(ids.map((id) => retried(() => engine.wait(id))));
      await new Promise((r) => setTimeout(r, 30));
      await db.crashWorker!();
      // While it restarts, a create is refused (nothing half-made is left behind) or, once it is back, accepted.
      const late = executionId("during-restart");
      const refused = await engine.createExecution({ id: late, closure: c, inputs: ints({ a: 100 }) }).then(() => false, (e: unknown) => e instanceof StoreFaultError && e.code === "UNAVAILABLE");
      const results = await done;
      expect(results.map((r) => r.phase)).toEqual(ids.map(() => "SUCCEEDED"));
      expect(results.map((r) => int(r.outputs, "r"))).toEqual(ids.map((_, i) => i + 2));
      const { rows } = await sql<{ phase: string; n: number }>`select phase, count(*)::int as n from aloft_executions group by phase`.execute(db.kysely);
      const late0 = await retried(() => engine.getExecution(late));
      if (refused) expect(late0).toBeUndefined();
      else expect((await retried(() => engine.wait(late))).phase).toBe("SUCCEEDED");
      expect(rows).toEqual([{ phase: "SUCCEEDED", n: refused ? 30 : 31 }]);
      // The engine waited the restart out (it paused on the fault and resumed once the new worker served).
      expect(pauses[0]).toBe("database is restarting (its PGlite worker stopped); retry in 1 s");
      expect(resumes).toBeGreaterThanOrEqual(1);
      // Each node ran once: the tasks ran in this process, untouched by the database's restart.
      expect(plugin.calls).toHaveLength(refused ? 60 : 62);
    } finally {
      await engine.stop();
      await db.close();
    }
  }, 90_000);
});
