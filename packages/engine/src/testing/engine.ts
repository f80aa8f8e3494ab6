// A memory-store engine with a function plugin, stopped after each test.
import { afterEach } from "vitest";
import { createEngine, type Engine, type EngineOptions } from "../engine.ts";
import { MemoryBlobStore } from "../runtime/memory-blob-store.ts";
import { FunctionPlugin, type TaskFn } from "./function-plugin.ts";

export function useEngines() {
  let engines: Engine[] = [];
  afterEach(async () => {
    for (const e of engines) await e.stop();
    engines = [];
  });
  return async function engineWith(fns: Record<string, TaskFn>, extra: Partial<EngineOptions> = {}) {
    const plugin = new FunctionPlugin(fns);
    const blobs = new MemoryBlobStore();
    const engine = createEngine({ store: "memory", blobStore: blobs, plugins: [plugin], ...extra });
    await engine.start();
    engines.push(engine);
    return { engine, plugin, blobs };
  };
}
