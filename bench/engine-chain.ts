// P1 / P6: a durable chain of no-op TypeScript tasks through the warm worker pool.
//   npx tsx bench/engine-chain.ts --store pglite|postgres|memory --nodes 1000 [--cache]
// With --cache, the chain runs once to fill the cache and the figure is for a second execution in
// which every node is a cache hit (P6).
import { create } from "@bufbuild/protobuf";
import { core, lit } from "@aloft/idl";
import { createEngine, DataCatalog, MemoryCatalogStorage, SqlCatalogStorage, TypeScriptPlugin } from "@aloft/engine";
import { arg, chainClosure, execId, openStore, tsTask, type StoreKind } from "./engine-common.ts";

const kind = arg("store", "pglite") as StoreKind;
const n = Number(arg("nodes", "1000"));
const cache = process.argv.includes("--cache");

const s = await openStore(kind);
const plugin = new TypeScriptPlugin({ runtime: new URL("./engine-runtime.ts", import.meta.url).href, workers: 1 });
const catalog = cache ? new DataCatalog(s.store === "memory" ? new MemoryCatalogStorage() : await new SqlCatalogStorage(s.store).init()) : undefined;
const engine = createEngine({ store: s.store, blobStore: s.blobs, plugins: [plugin], metadataPrefix: s.metadataPrefix, ...(catalog ? { catalog } : {}) });
await engine.start();
const task = tsTask("noop", { cache });
const inputs = create(core.LiteralMapSchema, { literals: { x: lit.integer(0) } });

// Warm the worker (tsx compile of the runtime) and the database before timing.
await engine.createExecution({ id: execId("warmup"), closure: chainClosure(tsTask("warm"), 5), inputs });
await engine.wait(execId("warmup"));

async function run(name: string) {
  const t0 = performance.now();
  await engine.createExecution({ id: execId(name), closure: chainClosure(task, n), inputs });
  const r = await engine.wait(execId(name));
  const ms = performance.now() - t0;
  if (r.phase !== "SUCCEEDED") throw new Error(`${name} ended ${r.phase}: ${r.error?.message}`);
  return ms;
}

if (cache) await run("fill");
const ms = await run("measured");
console.log(
  `engine-chain store=${kind} nodes=${n} ${cache ? "all cache hits" : "no cache"}: ${ms.toFixed(0)} ms total, ${((ms / n) * 1000).toFixed(0)} µs/node, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
);
await engine.stop();
await s.cleanup();
