// Local-run overhead: a chain of N no-op TypeScript tasks (each adds 1 to its input), run in-process through the
// engine with in-memory stores. Prints the time per node of each phase of a local run and of `runWorkflow` end to
// end; asserts nothing. Usage:
//   npx tsx bench/local-run.ts [nodes=10000] [repeats=3]
import { performance } from "node:perf_hooks";
import { create } from "@bufbuild/protobuf";
import { core, lit } from "@aloft/idl";
import { createEngine } from "@aloft/engine";
import { InProcessTaskPlugin, MemoryBlobs, Serializer, runWorkflow, t, task, workflow, type Ref } from "@aloft/sdk";

const nodes = Number(process.argv[2] ?? 10_000);
const repeats = Number(process.argv[3] ?? 3);

const noop = task({ name: "bench.noop", inputs: { x: t.int() }, outputs: t.int() }, ({ x }) => x + 1);

const chain = workflow({ name: "bench.chain", inputs: { start: t.int() }, outputs: t.int() }, ({ start }) => {
  let x: Ref<number> = start;
  for (let i = 0; i < nodes; i++) x = noop({ x });
  return x;
});

const phases = new Map<string, number[]>();
// Process CPU time (all threads) of each phase too: on a busy machine it varies much less than wall time.
const cpuTimes = new Map<string, number[]>();
function record(label: string, ms: number, cpuMs: number): void {
  phases.set(label, [...(phases.get(label) ?? []), ms]);
  cpuTimes.set(label, [...(cpuTimes.get(label) ?? []), cpuMs]);
}

async function timed<T>(label: string, f: () => Promise<T> | T): Promise<T> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await f();
  const c = process.cpuUsage(c0);
  record(label, performance.now() - t0, (c.user + c.system) / 1000);
  return r;
}

console.log(`local run of a ${nodes}-node chain of no-op tasks, best of ${repeats} (node ${process.version})`);
await timed("build graph (workflow function)", () => chain.graph());
for (let r = 0; r < repeats; r++) {
  const s = new Serializer({ project: "bench", domain: "development", version: "local", allowUnexported: true });
  const { id } = await timed("serialize to FlyteIDL", () => s.workflow(chain));
  const closure = await timed("compile (@aloft/compiler)", () => s.compile(id.name, { handOver: true }));
  const store = new MemoryBlobs();
  const engine = createEngine({ store: "memory", blobStore: store, plugins: [new InProcessTaskPlugin(s.taskEntities)] });
  await engine.start();
  const execution = create(core.WorkflowExecutionIdentifierSchema, { project: "bench", domain: "development", name: `run${r}` });
  const result = await timed("engine: execute (in-memory store)", async () => {
    await engine.createExecution({ id: execution, closure, inputs: create(core.LiteralMapSchema, { literals: { start: lit.integer(0) } }) });
    return engine.wait(execution);
  });
  await engine.stop();
  if (result.phase !== "SUCCEEDED") throw new Error(`engine run ${result.phase}: ${result.error?.message}`);

  const { outputs } = await timed("runWorkflow end to end", () => runWorkflow(chain, { start: 0 }));
  if (outputs !== nodes) throw new Error(`chain returned ${outputs}, expected ${nodes}`);
}

// runWorkflow reuses a workflow's compiled closure from its second run on: the first run is shown too.
for (const [label, runs] of phases) {
  const best = Math.min(...runs);
  const first = runs[0]!;
  const firstCpu = cpuTimes.get(label)![0]!;
  console.log(
    `${label.padEnd(36)} ${best.toFixed(0).padStart(7)} ms  ${((best * 1000) / nodes).toFixed(1).padStart(7)} µs/node  (first run ${((first * 1000) / nodes).toFixed(1)} µs/node, cpu ${((firstCpu * 1000) / nodes).toFixed(1)})`,
  );
}
