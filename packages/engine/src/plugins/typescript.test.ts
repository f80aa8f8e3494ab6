import { afterAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core, lit, types } from "@aloft/idl";
import { createEngine } from "../engine.ts";
import { MemoryBlobStore } from "../runtime/memory-blob-store.ts";
import { closure, executionId, promise, scalarBinding, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { int, ints } from "../testing/values.ts";
import { TypeScriptPlugin } from "./typescript.ts";
import type { TaskExecutionContext } from "./plugin.ts";

const runtime = new URL("../testing/ts-runtime.ts", import.meta.url).href;
const plugin = new TypeScriptPlugin({ runtime, workers: 2 });
afterAll(() => plugin.close());

const tsTask = (name: string, inputs: Record<string, core.LiteralType>, outputs: Record<string, core.LiteralType>, retries = 0) =>
  task(name, inputs, outputs, {
    retries,
    args: ["aloft-task", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}", "--raw-output-data-prefix", "{{.rawOutputDataPrefix}}", "--module", "m.ts", "--task", name],
  });

function ctxFor(t: core.TaskTemplate, inputs: core.LiteralMap, signal = new AbortController().signal): TaskExecutionContext {
  return {
    task: t, executionId: executionId("x"), actionKey: "proj/dev/x/n0", nodeId: "n0", attempt: 0, inputs,
    inputsPath: "memory://m/proj/dev/x/n0/inputs.pb", inputsUri: async () => "memory://m/proj/dev/x/n0/inputs.pb",
    outputPrefix: "memory://m/proj/dev/x/n0/0", rawOutputPrefix: "memory://raw/x", checkpointPrefix: "memory://m/cp", prevCheckpointPrefix: "",
    interruptible: false, signal, log: { write() {} }, blobStore: new MemoryBlobStore(), environment: {},
  };
}

describe("TypeScript worker pool plugin", () => {
  it("recognises aloft-task containers only", () => {
    expect(plugin.canHandle(tsTask("add", {}, {}))).toBe(true);
    expect(plugin.canHandle(task("py", {}, {}, { args: ["pyflyte-execute"] }))).toBe(false);
  });

  it("renders the agreed argument layout with the attempt's paths", async () => {
    const t = tsTask("echo-args", {}, { o: types.string() });
    const r = await plugin.execute(ctxFor(t, create(core.LiteralMapSchema, {})));
    expect(r.kind).toBe("success");
    const o = r.kind === "success" ? r.outputs.literals.o : undefined;
    expect(o?.value.case === "scalar" && o.value.value.value.case === "primitive" && o.value.value.value.value.value.value).toBe(
      "aloft-task --inputs memory://m/proj/dev/x/n0/inputs.pb --output-prefix memory://m/proj/dev/x/n0/0 --raw-output-data-prefix memory://raw/x --module m.ts --task echo-args",
    );
  });

  it("reports USER errors from the runtime and turns a throw into a SYSTEM error", async () => {
    const u = await plugin.execute(ctxFor(tsTask("user-fail", {}, {}), create(core.LiteralMapSchema, {})));
    expect(u).toEqual({ kind: "failure", error: { kind: "USER", code: "ValueError", message: "bad value", recoverable: true } });
    const s = await plugin.execute(ctxFor(tsTask("throw", {}, {}), create(core.LiteralMapSchema, {})));
    expect(s).toMatchObject({ kind: "failure", error: { kind: "SYSTEM", code: "RuntimeError", message: "runtime blew up" } });
  });

  it("keeps the runtime's verdict that an error is not recoverable", async () => {
    const u = await plugin.execute(ctxFor(tsTask("user-fail-final", {}, {}), create(core.LiteralMapSchema, {})));
    expect(u).toEqual({ kind: "failure", error: { kind: "USER", code: "ValueError", message: "bad value", recoverable: false } });
  });

  it("hands a dynamic task's futures back as its DynamicJobSpec", async () => {
    const r = await plugin.execute(ctxFor(tsTask("dynamic", {}, {}), create(core.LiteralMapSchema, {})));
    expect(r.kind).toBe("dynamic");
    expect(r.kind === "dynamic" && r.spec.minSuccesses).toBe(1n);
  });

  it("aborts a hanging task by replacing its worker, and the pool keeps working", async () => {
    const ac = new AbortController();
    const hanging = plugin.execute(ctxFor(tsTask("hang", {}, {}), create(core.LiteralMapSchema, {}), ac.signal));
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    expect(await hanging).toMatchObject({ kind: "failure", error: { code: "Aborted" } });
    const again = await plugin.execute(ctxFor(tsTask("add", {}, {}), create(core.LiteralMapSchema, { literals: { x: lit.integer(2), y: lit.integer(3) } })));
    expect(again.kind === "success" && int(again.outputs, "o")).toBe(5);
  });

  it("runs a workflow's TypeScript tasks through the engine", async () => {
    const add = tsTask("add", { x: types.integer(), y: types.integer() }, { o: types.integer() });
    const nodes = Array.from({ length: 20 }, (_, i) => taskNode(`n${i}`, add, { x: i === 0 ? promise("start-node", "a") : promise(`n${i - 1}`, "o"), y: scalarBinding(lit.integer(1)) }));
    const spec: WorkflowSpec = { name: "tschain", inputs: { a: types.integer() }, outputs: { r: types.integer() }, nodes, outputBindings: { r: promise("n19", "o") } };
    const engine = createEngine({ store: "memory", blobStore: new MemoryBlobStore(), plugins: [plugin] });
    await engine.start();
    const id = executionId("tschain");
    await engine.createExecution({ id, closure: closure(spec, [add]), inputs: ints({ a: 0 }) });
    const r = await engine.wait(id);
    expect(int(r.outputs, "r")).toBe(20);
  });
});
