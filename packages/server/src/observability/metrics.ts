// Prometheus metrics of one server: what the engine reports through its events (executions, nodes, task attempts,
// cache use), what it holds now (live executions, nodes waiting and running), the database's statement latency and
// reachability, and prom-client's process metrics. One Registry per server: tests run several servers in a process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { core } from "@aloft/idl";
import type { DatabaseHealth, EngineStats } from "@aloft/engine";
import type { AnyEvent } from "../admin/events/batch.ts";

/** Where the live gauges come from; read at each scrape (undefined until the engine is up). */
export interface MetricsSources {
  engine?: () => LiveStats | undefined;
}

const terminalNode = new Set([
  core.NodeExecution_Phase.SUCCEEDED,
  core.NodeExecution_Phase.FAILED,
  core.NodeExecution_Phase.TIMED_OUT,
  core.NodeExecution_Phase.ABORTED,
  core.NodeExecution_Phase.SKIPPED,
  core.NodeExecution_Phase.RECOVERED,
]);
const terminalTask = new Set([core.TaskExecution_Phase.SUCCEEDED, core.TaskExecution_Phase.FAILED, core.TaskExecution_Phase.ABORTED]);
const terminalExecution = new Set([
  core.WorkflowExecution_Phase.SUCCEEDED,
  core.WorkflowExecution_Phase.FAILED,
  core.WorkflowExecution_Phase.TIMED_OUT,
  core.WorkflowExecution_Phase.ABORTED,
]);
// A lookup that found nothing, whether the result was then stored or not.
const cacheMisses = new Set([core.CatalogCacheStatus.CACHE_MISS, core.CatalogCacheStatus.CACHE_POPULATED, core.CatalogCacheStatus.CACHE_PUT_FAILURE]);

type LiveStats = EngineStats & { paused: boolean };

const engineGauges: ReadonlyArray<readonly [string, string, (s: LiveStats) => number]> = [
  ["aloft_engine_executions", "Executions running in the engine", (s) => s.executions],
  ["aloft_engine_queued_nodes", "Nodes (and array subtasks) waiting to start", (s) => s.queuedNodes],
  ["aloft_engine_running_nodes", "Nodes (and array subtasks) running", (s) => s.runningNodes],
  ["aloft_engine_queue_depth", "Engine actions woken and waiting for its next round", (s) => s.queueDepth],
  ["aloft_engine_paused", "1 while the engine waits out a store fault (database unreachable, disk full)", (s) => (s.paused ? 1 : 0)],
];

export class ServerMetrics {
  readonly registry = new Registry();
  readonly #executionsCreated: Counter;
  readonly #executionsFinished: Counter<"phase">;
  readonly #executionDuration: Histogram<"phase">;
  readonly #nodes: Counter<"phase">;
  readonly #attempts: Counter<"phase">;
  readonly #cacheHits: Counter;
  readonly #cacheMisses: Counter;
  readonly #statements: Histogram<"outcome">;
  readonly #reachable: Gauge;
  #sources: MetricsSources = {};
  #unwatch: (() => void) | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#executionsCreated = new Counter({ name: "aloft_executions_created_total", help: "Executions the engine accepted", registers });
    this.#executionsFinished = new Counter({ name: "aloft_executions_finished_total", help: "Executions that ended, by final phase (a launch that failed counts as FAILED)", labelNames: ["phase"], registers });
    this.#executionDuration = new Histogram({
      name: "aloft_execution_duration_seconds",
      help: "Run time of executions that ended, by final phase",
      labelNames: ["phase"],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14400],
      registers,
    });
    this.#nodes = new Counter({ name: "aloft_node_executions_total", help: "Node executions that ended, by final phase", labelNames: ["phase"], registers });
    this.#attempts = new Counter({ name: "aloft_task_attempts_total", help: "Task attempts that ended, by final phase", labelNames: ["phase"], registers });
    this.#cacheHits = new Counter({ name: "aloft_cache_hits_total", help: "Cached task nodes served from the data catalog", registers });
    this.#cacheMisses = new Counter({ name: "aloft_cache_misses_total", help: "Cached task nodes the data catalog had no result for (then run)", registers });
    this.#statements = new Histogram({
      name: "aloft_database_statement_duration_seconds",
      help: "Time each database statement took, by outcome",
      labelNames: ["outcome"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.#reachable = new Gauge({ name: "aloft_database_reachable", help: "1 while the database answers, 0 after a connection fault until a statement succeeds", registers });
    this.#reachable.set(1);
    const sources = () => this.#sources;
    for (const [name, help, pick] of engineGauges) {
      new Gauge({
        name,
        help,
        registers,
        // Read at each scrape: the engine's numbers change with every round, far more often than anyone scrapes.
        collect() {
          const s = sources().engine?.();
          if (s) this.set(pick(s));
        },
      });
    }
  }

  /** Reads the engine's gauges from `sources` from now on. */
  attach(sources: MetricsSources): void {
    this.#sources = sources;
  }

  /** Counts each statement's duration and follows reachability. */
  watchDatabase(health: DatabaseHealth): void {
    this.#unwatch?.();
    const off = health.observe((ms, failed) => this.#statements.observe({ outcome: failed ? "error" : "ok" }, ms / 1000));
    const offChange = health.onChange((reachable) => this.#reachable.set(reachable ? 1 : 0));
    this.#reachable.set(health.reachable ? 1 : 0);
    this.#unwatch = () => (off(), offChange());
  }

  /** Counts the events the control plane applied (`results[i]` undefined); refused and repeated ones are not counted. */
  eventsApplied(events: readonly AnyEvent[], results: readonly (Error | undefined)[]): void {
    events.forEach((item, i) => {
      if (results[i] !== undefined) return;
      if (item.kind === "node") {
        const e = item.e;
        if (!terminalNode.has(e.phase)) return;
        this.#nodes.inc({ phase: core.NodeExecution_Phase[e.phase] ?? "UNDEFINED" });
        if (e.targetMetadata.case === "taskNodeMetadata") {
          const status = e.targetMetadata.value.cacheStatus;
          if (status === core.CatalogCacheStatus.CACHE_HIT) this.#cacheHits.inc();
          else if (cacheMisses.has(status)) this.#cacheMisses.inc();
        }
      } else if (item.kind === "task") {
        if (terminalTask.has(item.e.phase)) this.#attempts.inc({ phase: core.TaskExecution_Phase[item.e.phase] ?? "UNDEFINED" });
      }
    });
  }

  /** An execution the engine accepted (its first phase recorded). */
  executionCreated(): void {
    this.#executionsCreated.inc();
  }

  /** An execution that ended (or never started: a failed launch, the startup sweep). */
  executionFinished(phase: core.WorkflowExecution_Phase, durationMs: number): void {
    if (!terminalExecution.has(phase)) return;
    const name = core.WorkflowExecution_Phase[phase] ?? "UNDEFINED";
    this.#executionsFinished.inc({ phase: name });
    this.#executionDuration.observe({ phase: name }, durationMs / 1000);
  }

  /** The text a scrape gets, and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  close(): void {
    this.#unwatch?.();
    this.registry.clear();
  }
}

