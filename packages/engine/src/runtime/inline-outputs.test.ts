// Small outputs live in the action record (no outputs.pb), large ones are offloaded to blobs, and
// events carry whichever the node has; node events carry the node's inputs.
import { afterAll, describe, expect, it } from "vitest";
import { core, event, lit, types } from "@aloft/idl";
import { openDatabase } from "../db/database.ts";
import { createEngine } from "../engine.ts";
import type { EventSink } from "../events/sink.ts";
import { engineMigrations } from "../store/migrations.ts";
import { closure, executionId, promise, scalarBinding, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { useEngines } from "../testing/engine.ts";
import { FunctionPlugin, type TaskFn } from "../testing/function-plugin.ts";
import { int, ints } from "../testing/values.ts";
import { MemoryBlobStore } from "./memory-blob-store.ts";

const engineWith = useEngines();
const add = task("add", { x: types.integer(), y: types.integer() }, { o: types.integer() });
const addFn: TaskFn = (i) => ({ kind: "success", outputs: ints({ o: int(i, "x") + int(i, "y") }) });

function chain(n: number): WorkflowSpec {
  const nodes = Array.from({ length: n }, (_, i) => taskNode(`n${i}`, add, { x: i === 0 ? promise("start-node", "a") : promise(`n${i - 1}`, "o"), y: scalarBinding(lit.integer(i)) }));
  return { name: "chain", inputs: { a: types.integer() }, outputs: { r: types.integer() }, nodes, outputBindings: { r: promise(`n${n - 1}`, "o") } };
}

class Sink implements EventSink {
  readonly workflows: event.WorkflowExecutionEvent[] = [];
  readonly nodes: event.NodeExecutionEvent[] = [];
  readonly tasks: event.TaskExecutionEvent[] = [];
  workflow(e: event.WorkflowExecutionEvent) {
    this.workflows.push(e);
  }
  node(e: event.NodeExecutionEvent) {
    this.nodes.push(e);
  }
  task(e: event.TaskExecutionEvent) {
    this.tasks.push(e);
  }
}

const outputsPbs = (blobs: MemoryBlobStore) => [...blobs.blobs.keys()].filter((k) => k.endsWith("/outputs.pb"));
const inputsPbs = (blobs: MemoryBlobStore) => [...blobs.blobs.keys()].filter((k) => k.endsWith("/inputs.pb"));

describe("inline outputs", () => {
  it("keeps small outputs in the records, writes no outputs.pb, and events carry outputs and inputs", async () => {
    const sink = new Sink();
    const { engine, blobs } = await engineWith({ add: addFn }, { events: sink });
    const id = executionId("inline");
    await engine.createExecution({ id, closure: closure(chain(2), [add]), inputs: ints({ a: 10 }) });
    const r = await engine.wait(id);
    expect(int(r.outputs, "r")).toBe(11);
    expect(outputsPbs(blobs)).toEqual([]);
    const nodes = await engine.listNodeExecutions(id);
    const n1 = nodes.find((n) => n.name === "n1")!;
    expect(n1.outputsUri).toBeNull();
    expect(n1.outputs).not.toBeNull();
    const exec = await engine.getExecution(id);
    expect(exec?.outputsUri).toBeNull();
    expect(exec?.outputs).not.toBeNull();

    const n1Events = sink.nodes.filter((e) => e.id?.nodeId === "n1");
    const done = n1Events.at(-1)!;
    expect(done.phase).toBe(core.NodeExecution_Phase.SUCCEEDED);
    expect(done.outputResult.case === "outputData" && int(done.outputResult.value, "o")).toBe(11);
    // Inputs ride on the node's queued/running events (FlyteRemote showed them empty before).
    const queued = n1Events[0]!;
    expect(queued.inputValue.case).toBe("inputData");
    expect(queued.inputValue.case === "inputData" && [int(queued.inputValue.value, "x"), int(queued.inputValue.value, "y")]).toEqual([10, 1]);
    const t = sink.tasks.filter((e) => e.parentNodeExecutionId?.nodeId === "n1").at(-1)!;
    expect(t.phase).toBe(core.TaskExecution_Phase.SUCCEEDED);
    expect(t.outputResult.case === "outputData" && int(t.outputResult.value, "o")).toBe(11);
    const wf = sink.workflows.at(-1)!;
    expect(wf.outputResult.case === "outputData" && int(wf.outputResult.value, "r")).toBe(11);
  });

  it("offloads outputs larger than the inline limit to outputs.pb, and events point at them", async () => {
    const sink = new Sink();
    const { engine, blobs } = await engineWith({ add: addFn }, { events: sink, inlineOutputsMaxBytes: 0 });
    const id = executionId("offload");
    await engine.createExecution({ id, closure: closure(chain(2), [add]), inputs: ints({ a: 5 }) });
    expect(int((await engine.wait(id)).outputs, "r")).toBe(6);
    const nodes = await engine.listNodeExecutions(id);
    const n0 = nodes.find((n) => n.name === "n0")!;
    expect(n0.outputs).toBeNull();
    expect(n0.outputsUri).toMatch(/\/n0\/outputs\.pb$/);
    expect(blobs.blobs.has(n0.outputsUri!)).toBe(true);
    expect(outputsPbs(blobs)).toHaveLength(3); // n0, n1 and the workflow
    const done = sink.nodes.filter((e) => e.id?.nodeId === "n0").at(-1)!;
    expect(done.outputResult).toEqual({ case: "outputUri", value: n0.outputsUri });
    expect(sink.workflows.at(-1)!.outputResult.case).toBe("outputUri");
  });
});

describe("inline execution inputs", () => {
  it("keeps small inputs in the execution record and writes no inputs.pb; larger ones go to inputs.pb", async () => {
    const { engine, blobs } = await engineWith({ add: addFn });
    const small = executionId("inputs-inline");
    const rec = await engine.createExecution({ id: small, closure: closure(chain(1), [add]), inputs: ints({ a: 7 }) });
    expect(rec.inputsUri).toBe("");
    expect(rec.inputs).not.toBeNull();
    expect(int((await engine.wait(small)).outputs, "r")).toBe(7);
    expect(inputsPbs(blobs)).toEqual([]);
    // Same id, same inputs: attaches (compared with the inline copy); other inputs are refused.
    await engine.createExecution({ id: small, closure: closure(chain(1), [add]), inputs: ints({ a: 7 }) });
    await expect(engine.createExecution({ id: small, closure: closure(chain(1), [add]), inputs: ints({ a: 8 }) })).rejects.toThrow();

    const { engine: offloading, blobs: offloaded } = await engineWith({ add: addFn }, { inlineOutputsMaxBytes: 0 });
    const large = executionId("inputs-offloaded");
    const rec2 = await offloading.createExecution({ id: large, closure: closure(chain(1), [add]), inputs: ints({ a: 7 }) });
    expect(rec2.inputs).toBeNull();
    expect(rec2.inputsUri).toMatch(/\/inputs\.pb$/);
    expect(offloaded.blobs.has(rec2.inputsUri)).toBe(true);
    expect(int((await offloading.wait(large)).outputs, "r")).toBe(7);
  });
});

describe("inline outputs across a restart (PGlite)", () => {
  const dbs: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    for (const d of dbs) await d.close();
  });

  it("a resumed chain reads its finished nodes' outputs back from the records", async () => {
    const db = await openDatabase({ migrations: engineMigrations });
    dbs.push(db);
    const blobs = new MemoryBlobStore();
    const id = executionId("inline-restart");
    let reached!: () => void;
    const atN2 = new Promise<void>((r) => (reached = r));
    const hang = new FunctionPlugin({ add: (i, ctx) => (ctx.nodeId === "n2" ? (reached(), new Promise(() => {})) : addFn(i, ctx)) });
    const first = createEngine({ store: db, blobStore: blobs, plugins: [hang] });
    await first.start();
    await first.createExecution({ id, closure: closure(chain(4), [add]), inputs: ints({ a: 100 }) });
    await atN2;
    await first.stop();
    expect(outputsPbs(blobs)).toEqual([]);

    const plugin = new FunctionPlugin({ add: addFn });
    const second = createEngine({ store: db, blobStore: blobs, plugins: [plugin] });
    await second.start();
    const r = await second.wait(id);
    expect(r.phase).toBe("SUCCEEDED");
    expect(int(r.outputs, "r")).toBe(100 + 0 + 1 + 2 + 3);
    // n2 took n1's output from n1's record (nothing else holds it after the restart).
    expect(plugin.calls.map((c) => [c.nodeId, int(c.inputs, "x")])).toEqual([["n2", 101], ["n3", 103]]);
    await second.stop();
    // A third engine, with nothing live, serves the finished result from the execution record.
    const third = createEngine({ store: db, blobStore: blobs, plugins: [plugin] });
    await third.start();
    expect(int((await third.wait(id)).outputs, "r")).toBe(106);
    await third.stop();
  });

  it("a resumed execution whose first node had not run reads the execution's inputs from its record", async () => {
    const db = await openDatabase({ migrations: engineMigrations });
    dbs.push(db);
    const blobs = new MemoryBlobStore();
    const id = executionId("inline-inputs-restart");
    let reached!: () => void;
    const atN0 = new Promise<void>((r) => (reached = r));
    const hang = new FunctionPlugin({ add: () => (reached(), new Promise(() => {})) });
    const first = createEngine({ store: db, blobStore: blobs, plugins: [hang] });
    await first.start();
    await first.createExecution({ id, closure: closure(chain(2), [add]), inputs: ints({ a: 40 }) });
    await atN0;
    await first.stop();
    expect(inputsPbs(blobs)).toEqual([]);

    const plugin = new FunctionPlugin({ add: addFn });
    const second = createEngine({ store: db, blobStore: blobs, plugins: [plugin] });
    await second.start();
    expect(int((await second.wait(id)).outputs, "r")).toBe(41);
    expect(plugin.calls.map((c) => [c.nodeId, int(c.inputs, "x")])).toEqual([["n0", 40], ["n1", 40]]);
    await second.stop();
  });
});
