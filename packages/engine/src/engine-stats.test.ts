import { afterEach, expect, it } from "vitest";
import { types, lit } from "@aloft/idl";
import { createEngine, type Engine } from "./engine.ts";
import { MemoryBlobStore } from "./runtime/memory-blob-store.ts";
import { FunctionPlugin } from "./testing/function-plugin.ts";
import { closure, executionId, promise, scalarBinding, task, taskNode } from "./testing/closures.ts";
import { int, ints } from "./testing/values.ts";

const add = task("add", { x: types.integer(), y: types.integer() }, { o: types.integer() });

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});

it("reports live executions and running nodes while a task runs, and none once it ends", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const plugin = new FunctionPlugin({
    add: async (inputs) => {
      started();
      await gate;
      return { kind: "success", outputs: ints({ o: int(inputs, "x") + int(inputs, "y") }) };
    },
  });
  engine = createEngine({ store: "memory", blobStore: new MemoryBlobStore(), plugins: [plugin] });
  await engine.start();
  expect(engine.stats()).toEqual({ executions: 0, queuedNodes: 0, runningNodes: 0, queueDepth: 0 });
  const wf = { name: "one", inputs: { a: types.integer() }, outputs: { r: types.integer() }, nodes: [taskNode("n0", add, { x: promise("start-node", "a"), y: scalarBinding(lit.integer(1)) })], outputBindings: { r: promise("n0", "o") } };
  const id = executionId("stats");
  await engine.createExecution({ id, closure: closure(wf, [add]), inputs: ints({ a: 1 }) });
  await running;
  const during = engine.stats();
  expect(during.executions).toBe(1);
  expect(during.runningNodes).toBe(1);
  release();
  expect((await engine.wait(id)).phase).toBe("SUCCEEDED");
  expect(engine.stats()).toMatchObject({ executions: 0, runningNodes: 0, queuedNodes: 0 });
});
