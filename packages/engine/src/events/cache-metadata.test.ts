import { describe, expect, it } from "vitest";
import { core, event, types } from "@aloft/idl";
import { DataCatalog } from "../catalog/catalog-impl.ts";
import { MemoryCatalogStorage } from "../catalog/memory-storage.ts";
import { closure, executionId, promise, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { useEngines } from "../testing/engine.ts";
import { int, ints } from "../testing/values.ts";

const engineWith = useEngines();
const S = core.CatalogCacheStatus;

const cachedTask = task("sq", { x: types.integer() }, { o: types.integer() }, { discoverable: true, discoveryVersion: "3" });
const plainTask = task("plain", { x: types.integer() }, { o: types.integer() });
const spec: WorkflowSpec = {
  name: "cachewf",
  inputs: { x: types.integer() },
  outputs: { o: types.integer() },
  nodes: [taskNode("c", cachedTask, { x: promise("start-node", "x") }), taskNode("p", plainTask, { x: promise("c", "o") })],
  outputBindings: { o: promise("p", "o") },
};

function nodeEvents() {
  const nodes: event.NodeExecutionEvent[] = [];
  return { nodes, sink: { workflow() {}, task() {}, node: (e: event.NodeExecutionEvent) => void nodes.push(e) } };
}

const lastOf = (events: event.NodeExecutionEvent[], exec: string, node: string) =>
  events.filter((e) => e.id?.executionId?.name === exec && e.id.nodeId === node).at(-1)!;
const meta = (e: event.NodeExecutionEvent) => (e.targetMetadata.case === "taskNodeMetadata" ? e.targetMetadata.value : undefined);

describe("cache status in node events", () => {
  it("reports POPULATED then HIT with the catalog key and source task execution, DISABLED for uncached tasks", async () => {
    const { nodes, sink } = nodeEvents();
    const { engine } = await engineWith(
      { sq: (i) => ({ kind: "success", outputs: ints({ o: int(i, "x") ** 2 }) }), plain: (i) => ({ kind: "success", outputs: ints({ o: int(i, "x") }) }) },
      { catalog: new DataCatalog(new MemoryCatalogStorage()), events: sink },
    );
    for (const name of ["first", "second"]) {
      const id = executionId(name);
      await engine.createExecution({ id, closure: closure(spec, [cachedTask, plainTask]), inputs: ints({ x: 4 }) });
      await engine.wait(id);
    }
    await new Promise((r) => setTimeout(r, 10));
    const firstRunning = nodes.find((e) => e.id?.executionId?.name === "first" && e.id.nodeId === "c" && e.phase === core.NodeExecution_Phase.RUNNING)!;
    expect(meta(firstRunning)?.cacheStatus).toBe(S.CACHE_MISS);
    const populated = meta(lastOf(nodes, "first", "c"))!;
    expect(populated.cacheStatus).toBe(S.CACHE_POPULATED);
    const hit = meta(lastOf(nodes, "second", "c"))!;
    expect(hit.cacheStatus).toBe(S.CACHE_HIT);
    expect(hit.catalogKey?.datasetId).toMatchObject({ resourceType: core.ResourceType.DATASET, name: "flyte_task-sq", version: expect.stringMatching(/^3-[0-9a-f]{32}$/) });
    expect(hit.catalogKey?.artifactTag?.name).toMatch(/^flyte_cached-[0-9a-f]{64}$/);
    expect(hit.catalogKey).toEqual(populated.catalogKey);
    const src = hit.catalogKey?.sourceExecution.case === "sourceTaskExecution" ? hit.catalogKey.sourceExecution.value : undefined;
    expect(src?.nodeExecutionId).toMatchObject({ nodeId: "c", executionId: { name: "first" } });
    expect(src?.taskId?.name).toBe("sq");
    expect(meta(lastOf(nodes, "second", "p"))?.cacheStatus).toBe(S.CACHE_DISABLED);
  });
});
