import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { Serializer } from "../serialize/serializer.ts";
import { runWorkflow, WorkflowFailedError } from "./run.ts";
import { runTaskLocally } from "./testing.ts";
import * as P from "../serialize/testdata/pipeline.ts";
import { task } from "../task.ts";
import { workflow } from "../workflow.ts";
import { when } from "../condition.ts";
import { t } from "../types/t.ts";
import { RecoverableError } from "../errors.ts";

describe("runWorkflow (through the engine)", () => {
  it("leaves no temporary directory behind", async () => {
    const saved = process.env.TMPDIR;
    const tmp = mkdtempSync(join(tmpdir(), "aloft-run-test-"));
    process.env.TMPDIR = tmp;
    try {
      await runWorkflow(P.pipeline, { xs: [1, 2] });
      expect(readdirSync(tmp).filter((n) => n.startsWith("aloft-run-"))).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("runs maps, a branch, a sub-workflow and a sleep", async () => {
    const r = await runWorkflow(P.pipeline, { xs: [1, 2, 3] });
    // squares 1+4+9 = 14 > 10 → double(14) = 28 → inner doubles again → 56; k defaults to 3.
    expect(r.outputs).toEqual({ sum: 14, picked: 56, scaled: [3, 6, 9] });
  });

  it("takes the elseIf case", async () => {
    const r = await runWorkflow(P.pipeline, { xs: [0], k: 4 });
    // sum 0 → inner(k=4) = 8 → inner again = 16
    expect(r.outputs).toEqual({ sum: 0, picked: 16, scaled: [0] });
  });

  it("runs a dynamic task's generated workflow", async () => {
    const wf = workflow({ name: "dyn", inputs: { n: t.int() }, outputs: t.list(t.int()) }, ({ n }) => P.fanOut({ n }));
    expect((await runWorkflow(wf, { n: 4 })).outputs).toEqual([0, 1, 4, 9]);
  });

  it("fails with the message of fail(...) and names the node", async () => {
    const err = await runWorkflow(P.failing, { x: 5 }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err.message).toContain("x must be negative");
  });

  it("compiles a workflow once for repeated runs of the same project and domain", async () => {
    const noop = task({ name: "reuse.inc", inputs: { x: t.int() }, outputs: t.int() }, ({ x }) => x + 1);
    const wf = workflow({ name: "reuse.wf", inputs: { x: t.int() }, outputs: t.int() }, ({ x }) => noop({ x: noop({ x }) }));
    const compile = vi.spyOn(Serializer.prototype, "compile");
    try {
      expect((await runWorkflow(wf, { x: 1 })).outputs).toBe(3);
      expect((await runWorkflow(wf, { x: 5 })).outputs).toBe(7);
      expect(compile).toHaveBeenCalledTimes(1);
      expect((await runWorkflow(wf, { x: 5 }, { project: "other" })).outputs).toBe(7);
      expect(compile).toHaveBeenCalledTimes(2);
    } finally {
      compile.mockRestore();
    }
  });

  it("uses mocks in place of chosen tasks", async () => {
    const r = await runWorkflow(P.pipeline, { xs: [1, 2] }, { mocks: [[P.square, ({ n }: { n: number }) => n + 100]] });
    expect(r.outputs.sum).toBe(203);
  });

  it("retries a task that throws RecoverableError, not one that throws anything else", async () => {
    let calls = 0;
    const flaky = task({ name: "flaky", outputs: t.int(), retries: 2 }, () => {
      calls++;
      if (calls < 3) throw new RecoverableError("try again");
      return calls;
    });
    const wf = workflow({ name: "flaky-wf", outputs: t.int() }, () => flaky({}));
    expect((await runWorkflow(wf, {})).outputs).toBe(3);

    let broken = 0;
    const bad = task({ name: "bad", outputs: t.int(), retries: 2 }, () => {
      broken++;
      throw new TypeError("boom");
    });
    const wf2 = workflow({ name: "bad-wf", outputs: t.int() }, () => bad({}));
    await expect(runWorkflow(wf2, {})).rejects.toThrow(/boom/);
    expect(broken).toBe(1);
  });

  it("rejects a missing input before running anything", async () => {
    await expect(runWorkflow(P.pipeline, {})).rejects.toThrow("input xs: is required");
  });

  it("passes gates with the approvals and signals given", async () => {
    const r = await runWorkflow(P.gated, { x: 4 }, { approvals: { "ok-double": true }, signals: { note: "looks fine" } });
    expect(r.outputs).toEqual({ approved: 8, note: "looks fine" });
    await expect(runWorkflow(P.gated, { x: 4 }, { signals: { nope: 1 } })).rejects.toThrow("signal nope: the workflow waits for no signal of that name (signals: note)");
  });

  it("runs a launch plan as a child execution with its fixed inputs", async () => {
    // nightly fixes k = 5: squares of [1, 2] sum to 5.
    const r = await runWorkflow(P.parent, { xs: [1, 2] });
    expect(r.outputs).toBe(5);
  });

  // Flyte gives a non-zero NodeMetadata.retries precedence over the task's (propeller's computeRetryStrategy).
  it("applies per-call overrides (retries) from the node", async () => {
    let calls = 0;
    const flaky = task({ name: "flaky-override", outputs: t.int() }, () => {
      if (++calls < 3) throw new RecoverableError("again");
      return calls;
    });
    const wf = workflow({ name: "override-wf", outputs: t.int() }, () => flaky({}, { retries: 2, name: "try-hard" }));
    expect((await runWorkflow(wf, {})).outputs).toBe(3);
  });

  it("runs a single task for a unit test", async () => {
    expect(await runTaskLocally(P.total, { xs: [4, 5] })).toEqual({ sum: 9, label: "total" });
    expect(await runTaskLocally(P.square, { n: 9 })).toBe(81);
  });

  it("runs the onFailure handler with the workflow's inputs when a node fails", async () => {
    const seen: number[] = [];
    const cleanup = task({ name: "cleanup", inputs: { x: t.int() } }, ({ x }) => {
      seen.push(x);
    });
    const boom = task({ name: "boom", inputs: { x: t.int() }, outputs: t.int() }, () => {
      throw new Error("nope");
    });
    const wf = workflow({ name: "with-handler", inputs: { x: t.int() }, outputs: t.int(), onFailure: cleanup }, ({ x }) => boom({ x }));
    await expect(runWorkflow(wf, { x: 42 })).rejects.toThrow(/nope/);
    expect(seen).toEqual([42]);
  });

  it("reads struct fields and list items of promises (Flyte attribute access)", async () => {
    const Stats = t.struct({ count: t.int(), mean: t.float(), tags: t.list(t.string()) }, { name: "Stats" });
    const stats = task({ name: "attr.stats", inputs: { xs: t.list(t.float()) }, outputs: Stats }, ({ xs }) => ({
      count: xs.length,
      mean: xs.reduce((a, b) => a + b, 0) / xs.length,
      tags: xs.map((x) => (x > 2 ? "big" : "small")),
    }));
    const label = task({ name: "attr.label", inputs: { tag: t.string(), n: t.int() }, outputs: t.string() }, ({ tag, n }) => `${tag}x${n}`);
    const wf = workflow({ name: "attr.wf", inputs: { xs: t.list(t.float()) }, outputs: { first: t.string(), mean: t.float() } }, ({ xs }) => {
      const s = stats({ xs });
      return { first: label({ tag: s.get("tags").at(0), n: s.get("count") }), mean: s.get("mean") };
    });
    expect((await runWorkflow(wf, { xs: [1, 4, 5] })).outputs).toEqual({ first: "smallx3", mean: 10 / 3 });
    // Flyte's compiler cannot type a condition on a field, so that is refused where it is written.
    const cond = workflow({ name: "attr.cond", inputs: { xs: t.list(t.float()) }, outputs: t.string() }, ({ xs }) => {
      const s = stats({ xs });
      return when(s.get("mean").gt(2)).then(() => label({ tag: "high", n: 1 })).else(() => label({ tag: "low", n: 1 }));
    });
    expect(() => cond.graph()).toThrow("conditions cannot compare n0.o0.mean, an attribute of an output");
  });
});
