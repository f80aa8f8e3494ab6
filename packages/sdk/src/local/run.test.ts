import { describe, expect, it } from "vitest";
import { runWorkflow, WorkflowFailedError } from "./run.ts";
import { runTaskLocally } from "./testing.ts";
import * as P from "../serialize/testdata/pipeline.ts";
import { task } from "../task.ts";
import { workflow } from "../workflow.ts";
import { t } from "../types/t.ts";
import { RecoverableError } from "../errors.ts";

describe("runWorkflow (through the engine)", () => {
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

  // Flyte gives NodeMetadata.retries precedence over the task's (propeller's computeRetryStrategy); the engine in
  // this build reads only the task's retries, so this stays skipped until it does.
  it.skip("applies per-call overrides (retries) from the node", async () => {
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
});
