// Flyte 2 tasks run through the engine: calls become child actions, failures reach the caller typed, overrides,
// trace, group and map, caching per child, and Flyte 1 workflows calling Flyte 2 tasks.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RecoverableError, TaskFailure } from "../errors.ts";
import { localCatalog } from "../local/disk-cache.ts";
import { runWorkflow } from "../local/run.ts";
import { t } from "../types/t.ts";
import { workflow } from "../workflow.ts";
import { CallOutsideTaskError } from "./context.ts";
import { TaskEnvironment } from "./environment.ts";
import { ActionFailedError } from "./errors.ts";
import { group } from "./group.ts";
import { mapCalls } from "./map.ts";
import { runTaskTree } from "./run.ts";
import { trace } from "./trace.ts";

const env = new TaskEnvironment({ name: "hpo", retries: 0, env: { MODE: "test" } });

let squareRuns = 0;
const square = env.task({ name: "square", inputs: { x: t.int() }, outputs: t.int() }, async ({ x }) => {
  squareRuns++;
  return x * x;
});

const sumSquares = env.task({ name: "sum_squares", inputs: { n: t.int() }, outputs: t.int() }, async ({ n }) => {
  const xs = await Promise.all(Array.from({ length: n }, (_, i) => square({ x: i })));
  return xs.reduce((a, b) => a + b, 0);
});

let flakyRuns = 0;
const flaky = env.task({ name: "flaky", inputs: { x: t.int() }, outputs: t.int() }, async ({ x }) => {
  flakyRuns++;
  if (flakyRuns < 3) throw new RecoverableError("not yet", "NotYet");
  return x + 1;
});

const careful = env.task({ name: "careful", inputs: { x: t.int() }, outputs: { value: t.int(), code: t.string() } }, async ({ x }) => {
  try {
    return { value: await flaky({ x }), code: "" };
  } catch (e) {
    if (!(e instanceof ActionFailedError)) throw e;
    // Call again with a bigger retry budget: a new child (the next call of flaky), not the failed one.
    return { value: await flaky.override({ retries: 5 })({ x }), code: e.errorCode };
  }
});

describe("Flyte 2 tasks through the engine", () => {
  it("fans out with Promise.all, each call a child action of the task's node", async () => {
    squareRuns = 0;
    const r = await runTaskTree(sumSquares, { n: 10 });
    expect(r.outputs).toBe(285);
    expect(squareRuns).toBe(10);
    const calls = r.nodes.filter((a) => a.kind === "call");
    expect(calls).toHaveLength(10);
    expect(new Set(calls.map((c) => c.parent))).toEqual(new Set([r.nodes.find((a) => a.name === "n0")!.key]));
    expect(calls.every((c) => (c.state as { call?: { label: string } }).call?.label === "hpo.square")).toBe(true);
  });

  it("gives the caller a child's typed error, and a call with overrides runs as a new child", async () => {
    flakyRuns = 0;
    const r = await runTaskTree(careful, { x: 1 });
    expect(r.outputs).toEqual({ value: 2, code: "NotYet" });
    // First child: one attempt (no retries), failed; second child (override): attempts 2 and 3.
    expect(flakyRuns).toBe(3);
    const calls = r.nodes.filter((a) => a.kind === "call");
    expect(calls.map((c) => [c.phase, c.attempt]).sort()).toEqual([["FAILED", 0], ["SUCCEEDED", 1]]);
  });

  it("fails the parent with the child's error when it does not catch it", async () => {
    const failing = env.task({ name: "failing", inputs: {}, outputs: t.int() }, async () => {
      throw new TaskFailure("no data", "NoData");
    });
    const parent = env.task({ name: "uncaught", inputs: {}, outputs: t.int() }, async () => failing({}));
    await expect(runTaskTree(parent, {})).rejects.toThrow(/task hpo\.failing failed: no data/);
  });

  it("replays a traced function's result when the task runs again", async () => {
    let fetches = 0;
    let attempts = 0;
    const fetchRows = trace(async function fetchRows(n: number) {
      fetches++;
      return Array.from({ length: n }, (_, i) => i);
    });
    const traced = env.task({ name: "traced", inputs: { n: t.int() }, outputs: t.int(), retries: 1 }, async ({ n }) => {
      const rows = await fetchRows(n);
      if (attempts++ === 0) throw new RecoverableError("transient", "Transient");
      return rows.length;
    });
    const r = await runTaskTree(traced, { n: 4 });
    expect(r.outputs).toBe(4);
    expect(attempts).toBe(2);
    expect(fetches).toBe(1);
    expect(r.nodes.filter((a) => a.kind === "trace")).toHaveLength(1);
  });

  it("numbers calls within their group, and records the group", async () => {
    const grouped = env.task({ name: "grouped", inputs: {}, outputs: t.int() }, async () => {
      const a = await group("left", () => square({ x: 2 }));
      const b = await group("right", () => square({ x: 2 }));
      return a + b;
    });
    const r = await runTaskTree(grouped, {});
    expect(r.outputs).toBe(8);
    const calls = r.nodes.filter((a) => a.kind === "call");
    // Same task, same inputs, same sequence number: only the group tells them apart.
    expect(calls.map((c) => (c.state as { call: { group?: string } }).call.group).sort()).toEqual(["left", "right"]);
    expect(new Set(calls.map((c) => c.name)).size).toBe(2);
  });

  it("bounds concurrent calls with map", async () => {
    let inFlight = 0;
    let most = 0;
    const slow = env.task({ name: "slow", inputs: { x: t.int() }, outputs: t.int() }, async ({ x }) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return x * 10;
    });
    const mapper = env.task({ name: "mapper", inputs: { n: t.int() }, outputs: t.list(t.int()) }, async ({ n }) =>
      mapCalls(slow, Array.from({ length: n }, (_, x) => ({ x })), { concurrency: 3 }),
    );
    const r = await runTaskTree(mapper, { n: 12 });
    expect(r.outputs).toEqual(Array.from({ length: 12 }, (_, x) => x * 10));
    expect(most).toBe(3);
  });

  it("serves a cached child from the catalog on the next run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aloft-v2-cache-"));
    try {
      const cachedEnv = new TaskEnvironment({ name: "cached", cache: { version: "1" } });
      let runs = 0;
      const cube = cachedEnv.task({ name: "cube", inputs: { x: t.int() }, outputs: t.int() }, async ({ x }) => (runs++, x ** 3));
      const top = cachedEnv.task({ name: "top", inputs: { n: t.int() }, outputs: t.int(), cache: false }, async ({ n }) => {
        const xs = await Promise.all(Array.from({ length: n }, (_, x) => cube({ x })));
        return xs.reduce((a, b) => a + b, 0);
      });
      const first = await runTaskTree(top, { n: 3 }, { catalog: localCatalog(dir) });
      const second = await runTaskTree(top, { n: 4 }, { catalog: localCatalog(dir) });
      expect([first.outputs, second.outputs]).toEqual([9, 36]);
      expect(runs).toBe(4);
      const statuses = second.nodes.filter((a) => a.kind === "call").map((c) => (c.state as { cache?: { status: string } }).cache?.status);
      expect(statuses.sort()).toEqual(["HIT", "HIT", "HIT", "POPULATED"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs a Flyte 2 task as a node of a Flyte 1 workflow, with its children under the node", async () => {
    const wf = workflow({ name: "mixed", inputs: { n: t.int() }, outputs: t.int() }, ({ n }) => sumSquares({ n }));
    const r = await runWorkflow(wf, { n: 4 }, { tasks: env.allTasks() });
    expect(r.outputs).toBe(14);
    expect(r.nodes.filter((a) => a.kind === "call")).toHaveLength(4);
  });

  it("refuses a call made outside a running task", async () => {
    await expect(square({ x: 1 })).rejects.toBeInstanceOf(CallOutsideTaskError);
  });

  it("rejects unknown options where they are written", () => {
    expect(() => new TaskEnvironment({ name: "x", retires: 1 } as never)).toThrow(/unknown option "retires"/);
    expect(() => square.override({ retries: -1 })).toThrow(/retries must be a non-negative integer/);
    expect(() => env.task({ name: "square", inputs: {} }, async () => {})).toThrow(/already has a task named square/);
  });
});
