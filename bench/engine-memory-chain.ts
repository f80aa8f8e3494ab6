// The in-memory path the SDK's local runner uses: a chain of in-process no-op tasks on the memory
// store (target ≤ 50 µs/node for 10,000 nodes).
//   npx tsx bench/engine-memory-chain.ts --nodes 10000
import { create } from "@bufbuild/protobuf";
import { core, lit } from "@aloft/idl";
import { createEngine, MemoryBlobStore, type TaskPlugin } from "@aloft/engine";
import { arg, chainClosure, execId, tsTask } from "./engine-common.ts";

const n = Number(arg("nodes", "10000"));
const one = create(core.LiteralMapSchema, { literals: { o: lit.integer(1) } });
const plugin: TaskPlugin = { name: "noop", canHandle: () => true, execute: async () => ({ kind: "success", outputs: one }) };
const engine = createEngine({ store: "memory", blobStore: new MemoryBlobStore(), plugins: [plugin] });
await engine.start();
const inputs = create(core.LiteralMapSchema, { literals: { x: lit.integer(0) } });
for (const [name, size] of [["warm", 200], ["measured", n]] as const) {
  const t0 = performance.now();
  await engine.createExecution({ id: execId(name), closure: chainClosure(tsTask("noop"), size), inputs });
  const r = await engine.wait(execId(name));
  const ms = performance.now() - t0;
  if (r.phase !== "SUCCEEDED") throw new Error(r.error?.message);
  if (name === "measured") console.log(`engine-memory-chain nodes=${n}: ${ms.toFixed(0)} ms total, ${((ms / n) * 1000).toFixed(1)} µs/node, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}
await engine.stop();
