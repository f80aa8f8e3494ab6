import { describe, expect, it } from "vitest";
import { types, lit } from "@aloft/idl";
import { closure, executionId, promise, scalarBinding, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { useEngines } from "../testing/engine.ts";
import { int, ints } from "../testing/values.ts";
import type { TaskFn } from "../testing/function-plugin.ts";

const engineWith = useEngines();
const ok = task("ok", { x: types.integer() }, { o: types.integer() });
const bad = task("bad", { x: types.integer() }, { o: types.integer() });
const slow = task("slow", { x: types.integer() }, { o: types.integer() });
const okFn: TaskFn = (i) => ({ kind: "success", outputs: ints({ o: int(i, "x") + 1 }) });
const badFn: TaskFn = () => ({ kind: "failure", error: { kind: "USER", code: "Bad", message: "bad input", recoverable: false } });

function policySpec(failAfterExecutable: boolean): WorkflowSpec {
  return {
    name: "policy",
    failAfterExecutable,
    nodes: [
      taskNode("bad", bad, { x: scalarBinding(lit.integer(1)) }),
      taskNode("slow", slow, { x: scalarBinding(lit.integer(1)) }),
      taskNode("after-bad", ok, { x: promise("bad", "o") }),
      taskNode("after-slow", ok, { x: promise("slow", "o") }),
    ],
  };
}

describe("workflow scope", () => {
  it("FAIL_IMMEDIATELY aborts running nodes when one fails", async () => {
    let aborted = false;
    const { engine } = await engineWith({
      ok: okFn,
      bad: badFn,
      slow: (i, ctx) => new Promise((resolve) => ctx.signal.addEventListener("abort", () => ((aborted = true), resolve(okFn(i, ctx) as never)))),
    });
    const id = executionId("fail-now");
    await engine.createExecution({ id, closure: closure(policySpec(false), [ok, bad, slow]), inputs: ints({}) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("FAILED");
    expect(r.error).toMatchObject({ code: "Bad", failedNodeId: "bad" });
    expect(aborted).toBe(true);
    const nodes = Object.fromEntries((await engine.listNodeExecutions(id)).filter((n) => n.kind === "node").map((n) => [n.name, n.phase]));
    expect(nodes).toEqual({ bad: "FAILED", slow: "ABORTED" });
  });

  it("FAIL_AFTER_EXECUTABLE_NODES_COMPLETE runs what does not depend on the failure, then fails", async () => {
    const { engine } = await engineWith({ ok: okFn, bad: badFn, slow: async (i, c) => (await new Promise((r) => setTimeout(r, 20)), okFn(i, c)) });
    const id = executionId("fail-after");
    await engine.createExecution({ id, closure: closure(policySpec(true), [ok, bad, slow]), inputs: ints({}) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("FAILED");
    const nodes = Object.fromEntries((await engine.listNodeExecutions(id)).filter((n) => n.kind === "node").map((n) => [n.name, n.phase]));
    expect(nodes).toEqual({ bad: "FAILED", slow: "SUCCEEDED", "after-slow": "SUCCEEDED", "after-bad": "SKIPPED" });
  });

  it("runs the on-failure node with the workflow inputs, then fails with the original error", async () => {
    const cleanup = task("cleanup", { x: types.integer() }, {});
    const seen: number[] = [];
    const { engine } = await engineWith({
      bad: badFn,
      cleanup: (i) => (seen.push(int(i, "x")), { kind: "success", outputs: ints({}) }),
    });
    const spec: WorkflowSpec = {
      name: "with-failure-node",
      inputs: { a: types.integer() },
      nodes: [taskNode("bad", bad, { x: promise("start-node", "a") })],
      failureNode: taskNode("fn", cleanup, { x: promise("start-node", "a") }),
    };
    const id = executionId("failure-node");
    await engine.createExecution({ id, closure: closure(spec, [bad, cleanup]), inputs: ints({ a: 9 }) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("FAILED");
    expect(r.error?.code).toBe("Bad");
    expect(seen).toEqual([9]);
  });

  it("aborts an execution, cancelling its running task", async () => {
    let signalled = false;
    const { engine } = await engineWith({
      slow: (i, ctx) => new Promise((resolve) => ctx.signal.addEventListener("abort", () => ((signalled = true), resolve(okFn(i, ctx) as never)))),
    });
    const spec: WorkflowSpec = { name: "abortable", nodes: [taskNode("s", slow, { x: scalarBinding(lit.integer(1)) })] };
    const id = executionId("abort");
    await engine.createExecution({ id, closure: closure(spec, [slow]), inputs: ints({}) });
    const waiting = engine.wait(id);
    await new Promise((r) => setTimeout(r, 20));
    await engine.abort(id, "user asked");
    const r = await waiting;
    expect(r.phase).toBe("ABORTED");
    expect(r.error?.message).toBe("user asked");
    expect(signalled).toBe(true);
  });

  it("times out a whole execution at its deadline", async () => {
    const { engine } = await engineWith({ slow: (i, ctx) => new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve(okFn(i, ctx) as never))) });
    const spec: WorkflowSpec = { name: "deadline", nodes: [taskNode("s", slow, { x: scalarBinding(lit.integer(1)) })] };
    const id = executionId("deadline");
    await engine.createExecution({ id, closure: closure(spec, [slow]), inputs: ints({}), options: { timeoutMs: 40 } });
    const r = await engine.wait(id);
    expect(r.phase).toBe("TIMED_OUT");
  });

  it("fails a node whose binding names a missing upstream output, naming the input", async () => {
    const { engine } = await engineWith({ ok: okFn });
    const spec: WorkflowSpec = { name: "badref", nodes: [taskNode("a", ok, { x: scalarBinding(lit.integer(1)) }), taskNode("b", ok, { x: promise("a", "nope") })] };
    const id = executionId("badref");
    await engine.createExecution({ id, closure: closure(spec, [ok]), inputs: ints({}) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("FAILED");
    expect(r.error?.message).toMatch(/nodes\.b\.inputs\.x: node "a" has no output "nope"/);
  });
});

describe("workflow scope memory release", () => {
  // A chain drops the decoded outputs of a node once its only consumer started (and the inputs of finished
  // nodes); the workflow outputs may still name such a node, and are then read back from its record.
  const chainSpec: WorkflowSpec = {
    name: "released",
    inputs: { x: types.integer() },
    outputs: { first: types.integer(), last: types.integer() },
    nodes: [
      taskNode("a", ok, { x: promise("start-node", "x") }),
      taskNode("b", ok, { x: promise("a", "o") }),
      taskNode("c", ok, { x: promise("b", "o") }),
    ],
    outputBindings: { first: promise("a", "o"), last: promise("c", "o") },
  };

  for (const inline of [true, false]) {
    it(`resolves workflow outputs of a node whose consumer already ran (${inline ? "inline" : "offloaded"} outputs)`, async () => {
      const { engine } = await engineWith({ ok: okFn }, inline ? {} : { inlineOutputsMaxBytes: 0 });
      const id = executionId(`released-${inline}`);
      await engine.createExecution({ id, closure: closure(chainSpec, [ok]), inputs: ints({ x: 10 }) });
      const r = await engine.wait(id);
      expect(r.phase).toBe("SUCCEEDED");
      expect({ first: int(r.outputs, "first"), last: int(r.outputs, "last") }).toEqual({ first: 11, last: 13 });
    });
  }
});

