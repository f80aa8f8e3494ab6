import { afterEach, describe, expect, it, vi } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { core, lit, types } from "@aloft/idl";
import { createEngine, type Engine } from "./engine.ts";
import { MemoryBlobStore } from "./runtime/memory-blob-store.ts";
import { FunctionPlugin, type TaskFn } from "./testing/function-plugin.ts";
import { closure, executionId, promise, scalarBinding, task, taskNode, type WorkflowSpec } from "./testing/closures.ts";
import { int, ints } from "./testing/values.ts";
import { AlreadyExistsError } from "./errors.ts";
import { MemoryStore } from "./store/memory-store.ts";

const add = task("add", { x: types.integer(), y: types.integer() }, { o: types.integer() });
const addFn: TaskFn = (inputs) => ({ kind: "success", outputs: ints({ o: int(inputs, "x") + int(inputs, "y") }) });

let engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines) await e.stop();
  engines = [];
});

async function engineWith(fns: Record<string, TaskFn>, extra: Partial<Parameters<typeof createEngine>[0]> = {}) {
  const plugin = new FunctionPlugin(fns);
  const engine = createEngine({ store: "memory", blobStore: new MemoryBlobStore(), plugins: [plugin], ...extra });
  await engine.start();
  engines.push(engine);
  return { engine, plugin };
}

function chain(n: number): WorkflowSpec {
  const nodes = [];
  for (let i = 0; i < n; i++) {
    nodes.push(taskNode(`n${i}`, add, { x: i === 0 ? promise("start-node", "a") : promise(`n${i - 1}`, "o"), y: scalarBinding(lit.integer(1)) }));
  }
  return { name: "chain", inputs: { a: types.integer() }, outputs: { r: types.integer() }, nodes, outputBindings: { r: promise(`n${n - 1}`, "o") } };
}

describe("engine (memory store)", () => {
  it("runs a chain of task nodes, passing outputs along bindings", async () => {
    const { engine, plugin } = await engineWith({ add: addFn });
    const id = executionId("chain1");
    await engine.createExecution({ id, closure: closure(chain(5), [add]), inputs: ints({ a: 10 }) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("SUCCEEDED");
    expect(int(r.outputs, "r")).toBe(15);
    expect(plugin.calls.map((c) => c.task)).toEqual(["add", "add", "add", "add", "add"]);
    const nodes = await engine.listNodeExecutions(id);
    expect(nodes.filter((n) => n.kind === "node").map((n) => [n.name, n.phase])).toEqual(
      ["n0", "n1", "n2", "n3", "n4"].map((n) => [n, "SUCCEEDED"]),
    );
  });

  it("creates one execution when the same id is created concurrently, and many distinct ones at once", async () => {
    const { engine, plugin } = await engineWith({ add: addFn });
    const c = closure(chain(2), [add]);
    const same = executionId("concurrent");
    const records = await Promise.all([1, 2, 3].map(() => engine.createExecution({ id: same, closure: c, inputs: ints({ a: 1 }) })));
    expect(new Set(records.map((r) => r.key)).size).toBe(1);
    const many = Array.from({ length: 20 }, (_, i) => executionId(`burst-${i}`));
    await Promise.all(many.map((id, i) => engine.createExecution({ id, closure: c, inputs: ints({ a: i }) })));
    expect((await engine.wait(same)).phase).toBe("SUCCEEDED");
    for (const [i, id] of many.entries()) expect(int((await engine.wait(id)).outputs, "r")).toBe(i + 2);
    // Two nodes for the concurrently created execution, two for each of the burst.
    expect(plugin.calls).toHaveLength(2 + 2 * many.length);
  });

  it("records inputs the caller already stored instead of writing its own copy", async () => {
    const blobs = new MemoryBlobStore();
    const { engine } = await engineWith({ add: addFn }, { blobStore: blobs });
    const uri = "memory://caller/inputs.pb";
    await blobs.put(uri, toBinary(core.LiteralMapSchema, ints({ a: 5 })));
    const id = executionId("given-inputs");
    const rec = await engine.createExecution({ id, closure: closure(chain(1), [add]), inputs: ints({ a: 5 }), inputsUri: uri });
    expect(rec.inputsUri).toBe(uri);
    expect(int((await engine.wait(id)).outputs, "r")).toBe(6);
    // Same id and inputs attach; different inputs are refused, compared against the caller's blob.
    await engine.createExecution({ id, closure: closure(chain(1), [add]), inputs: ints({ a: 5 }), inputsUri: uri });
    await expect(engine.createExecution({ id, closure: closure(chain(1), [add]), inputs: ints({ a: 6 }) })).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it("skips the existence lookup for an id the caller reserved", async () => {
    const { engine, plugin } = await engineWith({ add: addFn });
    const lookups = vi.spyOn(MemoryStore.prototype, "getExecutions");
    try {
      const id = executionId("reserved");
      const c = closure(chain(2), [add]);
      await engine.createExecution({ id, closure: c, inputs: ints({ a: 1 }), reserved: true });
      expect(lookups).not.toHaveBeenCalled();
      expect(int((await engine.wait(id)).outputs, "r")).toBe(3);
      expect(plugin.calls).toHaveLength(2);
      // Without the reservation the engine looks the id up, as before.
      await engine.createExecution({ id: executionId("unreserved"), closure: c, inputs: ints({ a: 1 }) });
      expect(lookups).toHaveBeenCalledTimes(1);
    } finally {
      lookups.mockRestore();
    }
  });

  it("is idempotent by execution id and rejects a different closure or inputs under the same id", async () => {
    const { engine, plugin } = await engineWith({ add: addFn });
    const id = executionId("same");
    const c = closure(chain(2), [add]);
    await engine.createExecution({ id, closure: c, inputs: ints({ a: 1 }) });
    await engine.createExecution({ id, closure: c, inputs: ints({ a: 1 }) });
    expect((await engine.wait(id)).phase).toBe("SUCCEEDED");
    expect(plugin.calls).toHaveLength(2);
    await expect(engine.createExecution({ id, closure: c, inputs: ints({ a: 2 }) })).rejects.toBeInstanceOf(AlreadyExistsError);
    // The memory store keeps the closure object rather than its bytes: still compared.
    await expect(engine.createExecution({ id, closure: closure(chain(3), [add]), inputs: ints({ a: 1 }) })).rejects.toBeInstanceOf(AlreadyExistsError);
    await engine.createExecution({ id, closure: closure(chain(2), [add]), inputs: ints({ a: 1 }) });
  });

  it("runs independent nodes in parallel and joins them", async () => {
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { engine } = await engineWith({
      add: async (inputs, ctx) => {
        started.push(ctx.nodeId);
        if (started.length === 2) release();
        await gate;
        return addFn(inputs, ctx);
      },
    });
    const spec: WorkflowSpec = {
      name: "diamond",
      inputs: { a: types.integer() },
      outputs: { r: types.integer() },
      nodes: [
        taskNode("left", add, { x: promise("start-node", "a"), y: scalarBinding(lit.integer(1)) }),
        taskNode("right", add, { x: promise("start-node", "a"), y: scalarBinding(lit.integer(2)) }),
        taskNode("join", add, { x: promise("left", "o"), y: promise("right", "o") }),
      ],
      outputBindings: { r: promise("join", "o") },
    };
    const id = executionId("diamond");
    await engine.createExecution({ id, closure: closure(spec, [add]), inputs: ints({ a: 10 }) });
    const r = await engine.wait(id);
    expect(int(r.outputs, "r")).toBe(23);
    expect(started.slice(0, 2).sort()).toEqual(["left", "right"]);
  });

  it("resolves attribute paths into map outputs", async () => {
    const mk = task("mk", {}, { m: types.map(types.integer()) });
    const { engine } = await engineWith({
      mk: () => ({ kind: "success", outputs: create(core.LiteralMapSchema, { literals: { m: lit.map({ k: lit.integer(41) }) } }) }),
      add: addFn,
    });
    const spec: WorkflowSpec = {
      name: "attr",
      outputs: { r: types.integer() },
      nodes: [taskNode("mk", mk, {}), taskNode("use", add, { x: promise("mk", "m", ["k"]), y: scalarBinding(lit.integer(1)) })],
      outputBindings: { r: promise("use", "o") },
    };
    const id = executionId("attr");
    await engine.createExecution({ id, closure: closure(spec, [mk, add]), inputs: ints({}) });
    expect(int((await engine.wait(id)).outputs, "r")).toBe(42);
  });

  it("fails with a clear error when no plugin handles a task type", async () => {
    const { engine } = await engineWith({});
    const id = executionId("noplugin");
    await engine.createExecution({ id, closure: closure(chain(1), [add]), inputs: ints({ a: 1 }) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("FAILED");
    expect(r.error?.message).toMatch(/no task plugin handles task type "python-task"/);
    expect(r.error?.failedNodeId).toBe("n0");
  });
});
