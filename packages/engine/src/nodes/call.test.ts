// Tasks calling tasks: child actions with deterministic names, run as task actions; a restarted engine re-attaches
// the re-run parent to the children it had started or finished, on PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { types } from "@aloft/idl";
import { openDatabase, type Database } from "../db/database.ts";
import { createTestPostgres, type TestPostgres } from "../db/test-database.ts";
import { createEngine, type Engine } from "../engine.ts";
import type { TaskExecutionContext, TaskResult } from "../plugins/plugin.ts";
import { MemoryBlobStore } from "../runtime/memory-blob-store.ts";
import { engineMigrations } from "../store/migrations.ts";
import { closure, executionId, promise, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { FunctionPlugin, type TaskFn } from "../testing/function-plugin.ts";
import { int, ints } from "../testing/values.ts";
import { callName, inputsHash } from "./call-name.ts";

const square = task("square", { x: types.integer() }, { o: types.integer() });
const fanout = task("fanout", { n: types.integer() }, { o: types.integer() });

function rootWf(): WorkflowSpec {
  return { name: "root", inputs: { n: types.integer() }, outputs: { o: types.integer() }, nodes: [taskNode("n0", fanout, { n: promise("start-node", "n") })], outputBindings: { o: promise("n0", "o") } };
}

/** The parent: calls square(i) for i < n concurrently and sums the results. */
const fanoutFn: TaskFn = async (inputs, ctx: TaskExecutionContext): Promise<TaskResult> => {
  const n = int(inputs, "n");
  const outcomes = await Promise.all(Array.from({ length: n }, (_, i) => ctx.actions!.call({ task: square, inputs: ints({ x: i }) })));
  let sum = 0;
  for (const o of outcomes) {
    if (o.phase !== "SUCCEEDED") return { kind: "failure", error: { ...o.error, recoverable: false } };
    sum += int(o.outputs, "o");
  }
  return { kind: "success", outputs: ints({ o: sum }) };
};

const squareFn: TaskFn = (i) => ({ kind: "success", outputs: ints({ o: int(i, "x") ** 2 }) });

describe("call names", () => {
  it("are the same for the same parent, task, inputs, sequence and group, and differ in each", () => {
    const base = { parentAction: "p/d/e/n0", task: "proj/dev/square", inputsHash: inputsHash(ints({ x: 1 })), seq: 0 };
    expect(callName(base)).toBe(callName({ ...base }));
    const others = [
      callName({ ...base, parentAction: "p/d/e/n1" }),
      callName({ ...base, task: "proj/dev/cube" }),
      callName({ ...base, inputsHash: inputsHash(ints({ x: 2 })) }),
      callName({ ...base, seq: 1 }),
      callName({ ...base, group: "g" }),
    ];
    expect(new Set([callName(base), ...others]).size).toBe(6);
    expect(callName(base)).toMatch(/^[0-9a-z]{25}$/);
  });

  it("hash inputs independently of the order their entries were added in", () => {
    expect(inputsHash(ints({ a: 1, b: 2 }))).toBe(inputsHash(ints({ b: 2, a: 1 })));
    expect(inputsHash(ints({ a: 1, b: 2 }))).not.toBe(inputsHash(ints({ a: 2, b: 1 })));
  });
});

describe("call actions in memory", () => {
  it("runs a fan-out of child calls as child actions of the task and records each", async () => {
    const plugin = new FunctionPlugin({ fanout: fanoutFn, square: squareFn });
    const engine = createEngine({ store: "memory", blobStore: new MemoryBlobStore(), plugins: [plugin] });
    await engine.start();
    const id = executionId("fan");
    await engine.createExecution({ id, closure: closure(rootWf(), [fanout, square]), inputs: ints({ n: 20 }) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("SUCCEEDED");
    expect(int(r.outputs, "o")).toBe(Array.from({ length: 20 }, (_, i) => i * i).reduce((a, b) => a + b));
    const actions = await engine.listNodeExecutions(id);
    const calls = actions.filter((a) => a.kind === "call");
    expect(calls).toHaveLength(20);
    expect(calls.every((c) => c.parent?.endsWith("/n0") && c.phase === "SUCCEEDED")).toBe(true);
    await engine.stop();
  });

  it("gives the parent a child's failure, after the child's own retries", async () => {
    const flaky = task("flaky", { x: types.integer() }, { o: types.integer() }, { retries: 2 });
    let runs = 0;
    const parent: TaskFn = async (_i, ctx) => {
      const o = await ctx.actions!.call({ task: flaky, inputs: ints({ x: 1 }) });
      return o.phase === "SUCCEEDED" ? { kind: "success", outputs: ints({ o: -1 }) } : { kind: "success", outputs: ints({ o: o.error.code === "Boom" ? 42 : 0 }) };
    };
    const plugin = new FunctionPlugin({
      fanout: parent,
      flaky: () => (runs++, { kind: "failure", error: { kind: "USER", code: "Boom", message: "boom", recoverable: true } }),
    });
    const engine = createEngine({ store: "memory", blobStore: new MemoryBlobStore(), plugins: [plugin] });
    await engine.start();
    const id = executionId("fail");
    await engine.createExecution({ id, closure: closure(rootWf(), [fanout, flaky]), inputs: ints({ n: 1 }) });
    const r = await engine.wait(id);
    expect(int(r.outputs, "o")).toBe(42);
    expect(runs).toBe(3);
    await engine.stop();
  });

  it("aborts running children when the execution is aborted", async () => {
    let started!: () => void;
    const childStarted = new Promise<void>((r) => (started = r));
    const plugin = new FunctionPlugin({
      fanout: fanoutFn,
      square: (_i, ctx) =>
        new Promise<TaskResult>((resolve) => {
          started();
          ctx.onAbort?.(() => resolve({ kind: "failure", error: { kind: "SYSTEM", code: "Aborted", message: "aborted", recoverable: false } }));
        }),
    });
    const engine = createEngine({ store: "memory", blobStore: new MemoryBlobStore(), plugins: [plugin] });
    await engine.start();
    const id = executionId("abort");
    await engine.createExecution({ id, closure: closure(rootWf(), [fanout, square]), inputs: ints({ n: 3 }) });
    await childStarted;
    await engine.abort(id, "stop");
    const r = await engine.wait(id);
    expect(r.phase).toBe("ABORTED");
    const calls = (await engine.listNodeExecutions(id)).filter((a) => a.kind === "call");
    expect(calls.map((c) => c.phase)).toEqual(["ABORTED", "ABORTED", "ABORTED"]);
    await engine.stop();
  });
});

function durable(name: string, open: () => Promise<Database>, close: () => Promise<void>) {
  describe(`call actions across a restart (${name})`, () => {
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

    it("re-runs the parent after a crash without re-running the children that finished", async () => {
      const n = 30;
      const id = executionId(`restart-${name}-${Date.now()}`);
      // The first engine finishes the even children; odd ones hang, as if the process died while they ran.
      let finished = 0;
      let hung = 0;
      let allStarted!: () => void;
      const ready = new Promise<void>((r) => (allStarted = r));
      const check = () => finished + hung === n && allStarted();
      const first = await engineOn({
        fanout: fanoutFn,
        square: (i) => {
          if (int(i, "x") % 2 === 1) {
            hung++;
            check();
            return new Promise(() => {});
          }
          finished++;
          check();
          return squareFn(i, undefined as never);
        },
      });
      await first.engine.createExecution({ id, closure: closure(rootWf(), [fanout, square]), inputs: ints({ n }) });
      await ready;
      // Let the finished children commit, then "crash".
      await new Promise((r) => setTimeout(r, 200));
      await first.engine.stop();

      const second = await engineOn({ fanout: fanoutFn, square: squareFn });
      const r = await second.engine.wait(id);
      expect(r.phase).toBe("SUCCEEDED");
      expect(int(r.outputs, "o")).toBe(Array.from({ length: n }, (_, i) => i * i).reduce((a, b) => a + b));
      const reran = second.plugin.calls.filter((c) => c.task === "square").map((c) => int(c.inputs, "x"));
      // Only the children that had not finished run again, each once; the parent re-ran and re-attached.
      expect(reran.sort((a, b) => a - b)).toEqual(Array.from({ length: n / 2 }, (_, i) => 2 * i + 1));
      expect(second.plugin.calls.filter((c) => c.task === "fanout")).toHaveLength(1);
      const calls = (await second.engine.listNodeExecutions(id)).filter((a) => a.kind === "call");
      expect(calls).toHaveLength(n);
      await second.engine.stop();
    });
  });
}

let pg: TestPostgres | undefined;
durable("PGlite", () => openDatabase({ migrations: engineMigrations }), async () => {});
durable(
  "PostgreSQL",
  async () => {
    pg = await createTestPostgres();
    return openDatabase({ url: pg.url, migrations: engineMigrations });
  },
  async () => {
    await pg?.drop();
  },
);
