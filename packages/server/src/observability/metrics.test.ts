import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core, event } from "@aloft/idl";
import { AlreadyExistsError } from "../errors.ts";
import { ServerMetrics } from "./metrics.ts";
import type { AnyEvent } from "../admin/events/batch.ts";

const node = (phase: core.NodeExecution_Phase, cacheStatus?: core.CatalogCacheStatus): AnyEvent => ({
  kind: "node",
  e: create(event.NodeExecutionEventSchema, { phase, ...(cacheStatus !== undefined ? { targetMetadata: { case: "taskNodeMetadata", value: { cacheStatus } } } : {}) }),
});
const task = (phase: core.TaskExecution_Phase): AnyEvent => ({ kind: "task", e: create(event.TaskExecutionEventSchema, { phase }) });

async function value(m: ServerMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = await m.registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe("ServerMetrics", () => {
  it("counts applied terminal node and task events and cache use, never a refused (repeated) event", async () => {
    const m = new ServerMetrics();
    const events = [
      node(core.NodeExecution_Phase.RUNNING),
      node(core.NodeExecution_Phase.SUCCEEDED, core.CatalogCacheStatus.CACHE_HIT),
      node(core.NodeExecution_Phase.SUCCEEDED, core.CatalogCacheStatus.CACHE_POPULATED),
      node(core.NodeExecution_Phase.SUCCEEDED, core.CatalogCacheStatus.CACHE_DISABLED),
      node(core.NodeExecution_Phase.SUCCEEDED, core.CatalogCacheStatus.CACHE_HIT),
      task(core.TaskExecution_Phase.RUNNING),
      task(core.TaskExecution_Phase.FAILED),
    ];
    const repeated = new AlreadyExistsError("already recorded");
    m.eventsApplied(events, [undefined, undefined, undefined, undefined, repeated, undefined, undefined]);
    expect(await value(m, "aloft_node_executions_total", { phase: "SUCCEEDED" })).toBe(3);
    expect(await value(m, "aloft_node_executions_total", { phase: "RUNNING" })).toBeUndefined();
    expect(await value(m, "aloft_cache_hits_total")).toBe(1);
    expect(await value(m, "aloft_cache_misses_total")).toBe(1);
    expect(await value(m, "aloft_task_attempts_total", { phase: "FAILED" })).toBe(1);
    m.close();
  });

  it("keeps each server's counts in its own registry and reads the engine's gauges at scrape time", async () => {
    const a = new ServerMetrics();
    const b = new ServerMetrics();
    a.executionCreated();
    a.executionFinished(core.WorkflowExecution_Phase.SUCCEEDED, 1500);
    a.executionFinished(core.WorkflowExecution_Phase.RUNNING, 0);
    expect(await value(a, "aloft_executions_created_total")).toBe(1);
    expect(await value(b, "aloft_executions_created_total")).toBe(0);
    expect(await value(a, "aloft_executions_finished_total", { phase: "SUCCEEDED" })).toBe(1);
    expect(await value(a, "aloft_executions_finished_total", { phase: "RUNNING" })).toBeUndefined();
    let running = 2;
    a.attach({ engine: () => ({ executions: 1, queuedNodes: 0, runningNodes: running, queueDepth: 0, paused: true }) });
    expect(await value(a, "aloft_engine_running_nodes")).toBe(2);
    running = 5;
    expect((await a.scrape()).body).toMatch(/^aloft_engine_running_nodes 5$/m);
    expect((await a.scrape()).body).toMatch(/^aloft_engine_paused 1$/m);
    a.close();
    b.close();
  });
});
