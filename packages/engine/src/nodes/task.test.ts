import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core, types, lit } from "@aloft/idl";
import { closure, executionId, promise, scalarBinding, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { useEngines } from "../testing/engine.ts";
import { int, ints } from "../testing/values.ts";
import type { TaskResult } from "../plugins/plugin.ts";

const engineWith = useEngines();

function one(t: ReturnType<typeof task>): WorkflowSpec {
  return { name: "one", inputs: { x: types.integer() }, outputs: { o: types.integer() }, nodes: [taskNode("t", t, { x: promise("start-node", "x") })], outputBindings: { o: promise("t", "o") } };
}
const fail = (kind: "USER" | "SYSTEM", recoverable = true): TaskResult => ({ kind: "failure", error: { kind, code: `${kind}Boom`, message: `${kind} failure`, recoverable } });

describe("task node", () => {
  it("retries user errors within metadata.retries and records every attempt", async () => {
    const t = task("flaky", { x: types.integer() }, { o: types.integer() }, { retries: 2 });
    const { engine } = await engineWith({ flaky: (i, ctx) => (ctx.attempt < 2 ? fail("USER") : { kind: "success", outputs: ints({ o: int(i, "x") * 2 }) }) });
    const id = executionId("retry-user");
    await engine.createExecution({ id, closure: closure(one(t), [t]), inputs: ints({ x: 4 }) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("SUCCEEDED");
    expect(int(r.outputs, "o")).toBe(8);
    const attempts = await engine.listTaskAttempts(id);
    expect(attempts.map((a) => [a.attempt, a.phase, a.error?.code ?? null])).toEqual([
      [0, "FAILED", "USERBoom"],
      [1, "FAILED", "USERBoom"],
      [2, "SUCCEEDED", null],
    ]);
  });

  it("fails once the user retry budget is spent", async () => {
    const t = task("always", { x: types.integer() }, { o: types.integer() }, { retries: 1 });
    const { engine, plugin } = await engineWith({ always: () => fail("USER") });
    const id = executionId("retry-spent");
    await engine.createExecution({ id, closure: closure(one(t), [t]), inputs: ints({ x: 1 }) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("FAILED");
    expect(r.error).toMatchObject({ kind: "USER", code: "USERBoom", failedNodeId: "t" });
    expect(plugin.calls).toHaveLength(2);
  });

  it("spends system errors from a separate budget, not the task's retries", async () => {
    const t = task("sys", { x: types.integer() }, { o: types.integer() }, { retries: 0 });
    const { engine, plugin } = await engineWith(
      { sys: (i, ctx) => (ctx.attempt < 2 ? fail("SYSTEM") : { kind: "success", outputs: ints({ o: 1 }) }) },
      { maxSystemFailures: 2 },
    );
    const id = executionId("sys-retry");
    await engine.createExecution({ id, closure: closure(one(t), [t]), inputs: ints({ x: 1 }) });
    expect((await engine.wait(id)).phase).toBe("SUCCEEDED");
    expect(plugin.calls.map((c) => c.attempt)).toEqual([0, 1, 2]);
    const nodes = await engine.listNodeExecutions(id);
    expect(nodes.find((n) => n.name === "t")).toMatchObject({ attempt: 2, systemFailures: 2 });
  });

  it("does not retry a non-recoverable failure", async () => {
    const t = task("fatal", { x: types.integer() }, { o: types.integer() }, { retries: 5 });
    const { engine, plugin } = await engineWith({ fatal: () => fail("USER", false) });
    const id = executionId("nonrec");
    await engine.createExecution({ id, closure: closure(one(t), [t]), inputs: ints({ x: 1 }) });
    expect((await engine.wait(id)).phase).toBe("FAILED");
    expect(plugin.calls).toHaveLength(1);
  });

  it("times an attempt out at metadata.timeout, aborting the plugin, and retries it", async () => {
    const t = task("slow", { x: types.integer() }, { o: types.integer() }, { retries: 1, timeoutMs: 50 });
    const aborted: number[] = [];
    const { engine } = await engineWith({
      slow: (i, ctx) =>
        ctx.attempt === 0
          ? new Promise<TaskResult>((resolve) => ctx.signal.addEventListener("abort", () => (aborted.push(ctx.attempt), resolve(fail("SYSTEM")))))
          : { kind: "success", outputs: ints({ o: 7 }) },
    });
    const id = executionId("timeout");
    await engine.createExecution({ id, closure: closure(one(t), [t]), inputs: ints({ x: 1 }) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("SUCCEEDED");
    expect(aborted).toEqual([0]);
    const attempts = await engine.listTaskAttempts(id);
    expect(attempts[0]!.error?.code).toBe("Timeout");
  });

  it("fails a node as TIMED_OUT once its node timeout passes, across retries, without retrying", async () => {
    const t = task("forever", { x: types.integer() }, { o: types.integer() }, { retries: 3 });
    let aborted = 0;
    const { engine, plugin } = await engineWith({
      forever: (_i, ctx) => new Promise<TaskResult>((resolve) => ctx.signal.addEventListener("abort", () => (aborted++, resolve(fail("SYSTEM"))))),
    });
    const spec = one(t);
    spec.nodes[0]!.metadata = create(core.NodeMetadataSchema, { name: "t", timeout: { seconds: 0n, nanos: 60_000_000 } });
    const id = executionId("node-timeout");
    await engine.createExecution({ id, closure: closure(spec, [t]), inputs: ints({ x: 1 }) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("FAILED");
    expect(r.error).toMatchObject({ code: "NodeTimedOut", failedNodeId: "t" });
    expect((await engine.listNodeExecutions(id)).find((n) => n.name === "t")?.phase).toBe("TIMED_OUT");
    expect(plugin.calls).toHaveLength(1);
    expect(aborted).toBe(1);
  });

  it("holds at most maxParallelism attempts running at once", async () => {
    const t = task("par", { x: types.integer() }, { o: types.integer() });
    let running = 0;
    let peak = 0;
    const { engine } = await engineWith({
      par: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return { kind: "success", outputs: ints({ o: 1 }) };
      },
    });
    const nodes = Array.from({ length: 8 }, (_, i) => taskNode(`p${i}`, t, { x: scalarBinding(lit.integer(i)) }));
    const spec: WorkflowSpec = { name: "fan", nodes };
    const id = executionId("maxpar");
    await engine.createExecution({ id, closure: closure(spec, [t]), inputs: ints({}), options: { maxParallelism: 3 } });
    expect((await engine.wait(id)).phase).toBe("SUCCEEDED");
    expect(peak).toBe(3);
  });
});
