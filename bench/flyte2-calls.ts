// Flyte 2 child actions: a parent task that calls a no-op task N times, all at once (Promise.all) or one after
// another, each call a durable child action of the parent's action.
//   npx tsx bench/flyte2-calls.ts --store memory|pglite|postgres --calls 1000 --mode fanout|sequential
//   npx tsx bench/flyte2-calls.ts --sdk --calls 1000 --mode fanout   (the SDK's runTaskTree, as `aloft run` runs it)
// Engine runs use an in-process plugin (the task functions run on the main thread), so the figure is the engine's
// cost per child action: naming, record, commit, waking the parent, outputs back.
import { create } from "@bufbuild/protobuf";
import { core, lit, types } from "@aloft/idl";
import { createEngine, type TaskExecutionContext, type TaskPlugin, type TaskResult } from "@aloft/engine";
import { runTaskTree, t, TaskEnvironment } from "@aloft/sdk";
import { arg, execId, openStore, type StoreKind } from "./engine-common.ts";

const n = Number(arg("calls", "1000"));
const mode = arg("mode", "fanout");
const kind = arg("store", "memory") as StoreKind;
const sdk = process.argv.includes("--sdk");

function template(name: string, input: string): core.TaskTemplate {
  return create(core.TaskTemplateSchema, {
    id: { resourceType: core.ResourceType.TASK, project: "bench", domain: "dev", name, version: "v1" },
    type: "bench",
    interface: { inputs: { variables: { [input]: { type: types.integer() } } }, outputs: { variables: { o: { type: types.integer() } } } },
    target: { case: "container", value: { image: "bench", args: [name] } },
  });
}
const child = template("child", "x");
const parent = template("parent", "n");
const int = (m: core.LiteralMap | undefined, k: string) => {
  const v = m?.literals[k]?.value;
  return v?.case === "scalar" && v.value.value.case === "primitive" && v.value.value.value.value.case === "integer" ? Number(v.value.value.value.value.value) : NaN;
};
const ints = (k: string, v: number) => create(core.LiteralMapSchema, { literals: { [k]: lit.integer(v) } });

const plugin: TaskPlugin = {
  name: "bench",
  canHandle: () => true,
  async execute(ctx: TaskExecutionContext): Promise<TaskResult> {
    if (ctx.task.id?.name === "child") return { kind: "success", outputs: ints("o", int(ctx.inputs, "x") + 1) };
    const count = int(ctx.inputs, "n");
    const call = (x: number) => ctx.actions!.call({ task: child, inputs: ints("x", x) });
    let sum = 0;
    if (mode === "fanout") {
      for (const o of await Promise.all(Array.from({ length: count }, (_, i) => call(i)))) sum += o.phase === "SUCCEEDED" ? int(o.outputs, "o") : NaN;
    } else {
      for (let i = 0; i < count; i++) {
        const o = await call(i);
        sum += o.phase === "SUCCEEDED" ? int(o.outputs, "o") : NaN;
      }
    }
    return { kind: "success", outputs: ints("o", sum) };
  },
};

const expected = (n * (n + 1)) / 2;
const rss = () => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`;

if (sdk) {
  const env = new TaskEnvironment({ name: "bench" });
  const inc = env.task({ name: "inc", inputs: { x: t.int() }, outputs: t.int() }, async ({ x }) => x + 1);
  const top = env.task({ name: "top", inputs: { n: t.int() }, outputs: t.int() }, async ({ n: count }) => {
    if (mode === "fanout") return (await Promise.all(Array.from({ length: count }, (_, x) => inc({ x })))).reduce((a, b) => a + b, 0);
    let s = 0;
    for (let x = 0; x < count; x++) s += await inc({ x });
    return s;
  });
  await runTaskTree(top, { n: 10 });
  const t0 = performance.now();
  const r = await runTaskTree(top, { n });
  const ms = performance.now() - t0;
  if (r.outputs !== expected) throw new Error(`wrong sum ${r.outputs}`);
  console.log(`flyte2-calls sdk (runTaskTree, memory) mode=${mode} calls=${n}: ${ms.toFixed(0)} ms total, ${((ms / n) * 1000).toFixed(0)} µs/call, peak RSS ${rss()}`);
} else {
  const s = await openStore(kind);
  const engine = createEngine({ store: s.store, blobStore: s.blobs, plugins: [plugin], metadataPrefix: s.metadataPrefix });
  await engine.start();
  const closure = create(core.CompiledWorkflowClosureSchema, {
    primary: {
      template: {
        id: { resourceType: core.ResourceType.WORKFLOW, project: "bench", domain: "dev", name: "wf", version: "v1" },
        interface: { inputs: { variables: { n: { type: types.integer() } } }, outputs: { variables: { o: { type: types.integer() } } } },
        nodes: [
          {
            id: "n0",
            inputs: [{ var: "n", binding: { value: { case: "promise", value: { nodeId: "start-node", var: "n" } } } }],
            target: { case: "taskNode", value: { reference: { case: "referenceId", value: parent.id! } } },
          },
        ],
        outputs: [{ var: "o", binding: { value: { case: "promise", value: { nodeId: "n0", var: "o" } } } }],
      },
      connections: { downstream: { "start-node": { ids: ["n0"] }, n0: { ids: ["end-node"] } }, upstream: { n0: { ids: ["start-node"] }, "end-node": { ids: ["n0"] } } },
    },
    tasks: [{ template: parent }, { template: child }],
  });
  const runOnce = async (name: string, count: number) => {
    const t0 = performance.now();
    await engine.createExecution({ id: execId(name), closure, inputs: ints("n", count) });
    const r = await engine.wait(execId(name));
    if (r.phase !== "SUCCEEDED") throw new Error(`${name} ended ${r.phase}: ${r.error?.message}`);
    if (int(r.outputs, "o") !== (count * (count + 1)) / 2) throw new Error(`wrong sum ${int(r.outputs, "o")}`);
    return performance.now() - t0;
  };
  await runOnce("warmup", 20);
  const ms = await runOnce("measured", n);
  console.log(`flyte2-calls store=${kind} mode=${mode} calls=${n}: ${ms.toFixed(0)} ms total, ${((ms / n) * 1000).toFixed(0)} µs/call, peak RSS ${rss()}`);
  await engine.stop();
  await s.cleanup();
}
