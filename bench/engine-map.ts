// P2: a map task (array node) over N items of no-op TypeScript tasks through the worker pool.
//   npx tsx bench/engine-map.ts --store pglite|postgres|memory --items 10000 [--workers 2]
// Peak RSS is this whole process: the engine (main thread), PGlite's thread, the task worker
// threads, and a new PGlite data directory unpacked here from the cached cluster (only a missing
// cache's initdb runs in a child process).
import { create } from "@bufbuild/protobuf";
import { core, lit } from "@aloft/idl";
import { createEngine, TypeScriptPlugin } from "@aloft/engine";
import { arg, execId, mapClosure, mib, openStore, tsTask, type StoreKind } from "./engine-common.ts";

const kind = arg("store", "pglite") as StoreKind;
const items = Number(arg("items", "10000"));
const s = await openStore(kind);
const workers = Number(arg("workers", "2"));
const plugin = new TypeScriptPlugin({ runtime: new URL("./engine-runtime.ts", import.meta.url).href, workers });
const engine = createEngine({ store: s.store, blobStore: s.blobs, plugins: [plugin], metadataPrefix: s.metadataPrefix });
await engine.start();
const task = tsTask("noop");
const small = create(core.LiteralMapSchema, { literals: { xs: lit.collection([lit.integer(1), lit.integer(2)]) } });
await engine.createExecution({ id: execId("warm"), closure: mapClosure(task), inputs: small });
await engine.wait(execId("warm"));

const before = process.memoryUsage().rss;
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const inputs = create(core.LiteralMapSchema, { literals: { xs: lit.collection(Array.from({ length: items }, (_, i) => lit.integer(i))) } });
const t0 = performance.now();
await engine.createExecution({ id: execId("map"), closure: mapClosure(task), inputs });
const r = await engine.wait(execId("map"));
const ms = performance.now() - t0;
clearInterval(sampler);
if (r.phase !== "SUCCEEDED") throw new Error(`map ended ${r.phase}: ${r.error?.message}`);
const out = r.outputs?.literals.o?.value;
if (out?.case !== "collection" || out.value.literals.length !== items) throw new Error("wrong output length");
console.log(`engine-map store=${kind} items=${items}: ${ms.toFixed(0)} ms total, ${((ms / items) * 1000).toFixed(0)} µs/item, peak RSS ${mib(Math.max(peak, process.resourceUsage().maxRSS * 1024))} MiB (process peak; RSS before the map, after store open + ${workers} workers + a warm run: ${mib(before)} MiB)`);
await engine.stop();
await s.cleanup();
