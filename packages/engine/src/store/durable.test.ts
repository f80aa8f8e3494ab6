// Resuming after the engine stops mid-execution, on both SQL dialects: finished nodes are not run
// again, their outputs are kept, and parents re-attach to the children they already started.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, equals, fromBinary } from "@bufbuild/protobuf";
import { core, lit, types } from "@aloft/idl";
import { openDatabase, type Database } from "../db/database.ts";
import { createTestPostgres, type TestPostgres } from "../db/test-database.ts";
import { createEngine, type Engine } from "../engine.ts";
import { MemoryBlobStore } from "../runtime/memory-blob-store.ts";
import { bindings, closure, executionId, promise, scalarBinding, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { FunctionPlugin, type TaskFn } from "../testing/function-plugin.ts";
import { int, ints } from "../testing/values.ts";
import { engineMigrations } from "./migrations.ts";
import { SqlStore } from "./sql-store.ts";
import type { ActionRecord, AttemptRecord } from "../model/action.ts";

const add = task("add", { x: types.integer(), y: types.integer() }, { o: types.integer() });
const inc = task("inc", { x: types.integer() }, { o: types.integer() });
const dyn = task("dyn", { n: types.integer() }, { o: types.integer() });

function chain(n: number): WorkflowSpec {
  const nodes = Array.from({ length: n }, (_, i) => taskNode(`n${i}`, add, { x: i === 0 ? promise("start-node", "a") : promise(`n${i - 1}`, "o"), y: scalarBinding(lit.integer(i)) }));
  return { name: "chain", inputs: { a: types.integer() }, outputs: { r: types.integer() }, nodes, outputBindings: { r: promise(`n${n - 1}`, "o") } };
}

function suite(name: string, open: () => Promise<Database>, close: () => Promise<void>) {
  describe(name, () => {
    let db: Database;
    const blobs = new MemoryBlobStore();
    beforeAll(async () => {
      db = await open();
    });
    afterAll(async () => {
      await db?.close();
      await close();
    });

    async function engineOn(fns: Record<string, TaskFn>): Promise<{ engine: Engine; plugin: FunctionPlugin }> {
      const plugin = new FunctionPlugin(fns);
      const engine = createEngine({ store: db, blobStore: blobs, plugins: [plugin] });
      await engine.start();
      return { engine, plugin };
    }

    it("stores each execution's own closure when many executions share one closure object", async () => {
      const { engine } = await engineOn({ add: (i) => ({ kind: "success", outputs: ints({ o: int(i, "x") + int(i, "y") }) }) });
      const two = closure(chain(2), [add]);
      const three = closure(chain(3), [add]);
      const ids = [executionId("shared-a"), executionId("shared-b"), executionId("other")];
      await engine.createExecution({ id: ids[0]!, closure: two, inputs: ints({ a: 1 }) });
      await engine.createExecution({ id: ids[1]!, closure: two, inputs: ints({ a: 2 }) });
      await engine.createExecution({ id: ids[2]!, closure: three, inputs: ints({ a: 3 }) });
      const stored = await Promise.all(ids.map(async (id) => fromBinary(core.CompiledWorkflowClosureSchema, (await engine.getExecution(id))!.closure)));
      expect(stored.map((c) => c.primary?.template?.nodes.length)).toEqual([2, 2, 3]);
      expect(stored.map((c) => equals(core.CompiledWorkflowClosureSchema, c, two))).toEqual([true, true, false]);
      for (const [i, id] of ids.entries()) expect(int((await engine.wait(id)).outputs, "r")).toBe([2, 3, 6][i]);
      await engine.stop();
    });

    it("resumes a chain without re-running finished nodes; the attempt running at the stop is recorded lost and retried", async () => {
      const id = executionId(`chain-${name.length}-${Date.now()}`);
      let reached!: () => void;
      const atN2 = new Promise<void>((r) => (reached = r));
      const first = await engineOn({
        add: (i, ctx) => {
          if (ctx.nodeId === "n2") {
            reached();
            return new Promise(() => {}); // never finishes: the engine "crashes" here
          }
          return { kind: "success", outputs: ints({ o: int(i, "x") + int(i, "y") }) };
        },
      });
      await first.engine.createExecution({ id, closure: closure(chain(4), [add]), inputs: ints({ a: 100 }) });
      await atN2;
      await first.engine.stop();
      expect((await first.engine.getExecution(id))?.phase).toBe("RUNNING");

      const second = await engineOn({ add: (i) => ({ kind: "success", outputs: ints({ o: int(i, "x") + int(i, "y") }) }) });
      const r = await second.engine.wait(id);
      expect(r.phase).toBe("SUCCEEDED");
      expect(int(r.outputs, "r")).toBe(100 + 0 + 1 + 2 + 3);
      expect(second.plugin.calls.map((c) => c.actionKey.split("/").pop())).toEqual(["n2", "n3"]);
      const attempts = await second.engine.listTaskAttempts(id);
      expect(attempts.map((a) => [a.action.split("/").pop(), a.attempt, a.phase])).toEqual([
        ["n0", 0, "SUCCEEDED"],
        ["n1", 0, "SUCCEEDED"],
        ["n2", 0, "FAILED"],
        ["n2", 1, "SUCCEEDED"],
        ["n3", 0, "SUCCEEDED"],
      ]);
      expect(attempts.find((a) => a.phase === "FAILED")?.error).toEqual({ kind: "SYSTEM", code: "AttemptLost", message: "the server stopped while this attempt ran", failedNodeId: "n2" });
      // The retry is a system retry: attempt 1 ran with its own number, and the node's user budget is untouched.
      expect(second.plugin.calls.map((c) => c.attempt)).toEqual([1, 0]);
      const n2 = (await second.engine.listNodeExecutions(id)).find((a) => a.name === "n2")!;
      expect([n2.attempt, n2.systemFailures]).toEqual([1, 1]);
      await second.engine.stop();
    });

    it("fails a node with AttemptLost when its system retries are spent", async () => {
      const id = executionId(`lost-${name.length}-${Date.now()}`);
      let reached!: () => void;
      const running = new Promise<void>((r) => (reached = r));
      const plugin = new FunctionPlugin({ inc: () => (reached(), new Promise(() => {})) });
      const first = createEngine({ store: db, blobStore: blobs, plugins: [plugin], maxSystemFailures: 0 });
      await first.start();
      const wf: WorkflowSpec = { name: "one", inputs: { a: types.integer() }, outputs: { r: types.integer() }, nodes: [taskNode("n0", inc, { x: promise("start-node", "a") })], outputBindings: { r: promise("n0", "o") } };
      await first.createExecution({ id, closure: closure(wf, [inc]), inputs: ints({ a: 1 }) });
      await running;
      await first.stop();
      const again = new FunctionPlugin({ inc: (i) => ({ kind: "success", outputs: ints({ o: int(i, "x") + 1 }) }) });
      const second = createEngine({ store: db, blobStore: blobs, plugins: [again], maxSystemFailures: 0 });
      await second.start();
      const r = await second.wait(id);
      expect(r.phase).toBe("FAILED");
      expect(r.error).toMatchObject({ kind: "SYSTEM", code: "AttemptLost" });
      expect(again.calls).toHaveLength(0);
      await second.stop();
    });

    it("writes a round too large for one statement in one transaction, records intact", async () => {
      const store = new SqlStore(db);
      const exec = `big-${name.length}-${Date.now()}`;
      const n = 2500;
      const actions: ActionRecord[] = Array.from({ length: n }, (_, i) => ({
        key: `${exec}/map/${i}`, execution: exec, parent: `${exec}/map`, kind: "subtask", name: String(i), phase: "SUCCEEDED", attempt: 0,
        systemFailures: 0, state: { i }, inputsUri: null, outputsUri: null, outputs: new Uint8Array([i % 256, 1, 2]), error: null, startedAt: i, updatedAt: i,
      }));
      const attempts: AttemptRecord[] = actions.map((a) => ({
        execution: exec, action: a.key, attempt: 0, phase: "SUCCEEDED", error: null, startedAt: 1, endedAt: 2, logUri: null, cacheStatus: null,
      }));
      await store.commit({ executions: [], actions, attempts });
      // Written again (an upsert), as a restart would.
      await store.commit({ executions: [], actions: actions.map((a) => ({ ...a, updatedAt: a.updatedAt + 1 })), attempts });
      const back = await store.listActions(exec);
      expect(back).toHaveLength(n);
      const a7 = back.find((a) => a.name === "7")!;
      expect([a7.state, [...a7.outputs!], a7.updatedAt]).toEqual([{ i: 7 }, [7, 1, 2], 8]);
      expect(await store.listAttempts(exec)).toHaveLength(n);
    });

    it("re-attaches a dynamic node to the sub-nodes it already started", async () => {
      const id = executionId(`dyn-${name.length}-${Date.now()}`);
      const dynFn: TaskFn = () => ({
        kind: "dynamic",
        spec: create(core.DynamicJobSpecSchema, {
          nodes: [taskNode("d0", inc, { x: scalarBinding(lit.integer(1)) }), taskNode("d1", inc, { x: promise("d0", "o") })],
          tasks: [inc],
          outputs: bindings({ o: promise("d1", "o") }),
        }),
      });
      let reached!: () => void;
      const atD1 = new Promise<void>((r) => (reached = r));
      const first = await engineOn({
        dyn: dynFn,
        inc: (i, ctx) => (ctx.nodeId === "d1" ? (reached(), new Promise(() => {})) : { kind: "success", outputs: ints({ o: int(i, "x") + 1 }) }),
      });
      const wf: WorkflowSpec = { name: "dynwf", outputs: { r: types.integer() }, nodes: [taskNode("gen", dyn, { n: scalarBinding(lit.integer(2)) })], outputBindings: { r: promise("gen", "o") } };
      await first.engine.createExecution({ id, closure: closure(wf, [dyn]), inputs: ints({}) });
      await atD1;
      await first.engine.stop();

      const second = await engineOn({ dyn: dynFn, inc: (i) => ({ kind: "success", outputs: ints({ o: int(i, "x") + 1 }) }) });
      const r = await second.engine.wait(id);
      expect(int(r.outputs, "r")).toBe(3);
      // The dynamic task and d0 finished before the crash; only d1 runs again.
      expect(second.plugin.calls.map((c) => c.actionKey.split("/").slice(3).join("/"))).toEqual(["gen/dynamic/d1"]);
      await second.engine.stop();
    });
  });
}

let pg: TestPostgres | undefined;
suite("PGlite", () => openDatabase({ migrations: engineMigrations }), async () => {});
suite(
  "PostgreSQL",
  async () => {
    pg = await createTestPostgres();
    return openDatabase({ url: pg.url, migrations: engineMigrations });
  },
  async () => {
    await pg?.drop();
  },
);
