// Shows a local run's progress: one line per node as it finishes, with its duration (or "cache hit" when its
// outputs came from the cache) and, for failures, why.
import { core, type event } from "@aloft/idl";
import type { EventSink } from "@aloft/engine";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { WorkflowDef } from "../workflow.ts";

const P = core.NodeExecution_Phase;
const terminal = new Map<number, string>([
  [P.SUCCEEDED, "✓"],
  [P.FAILED, "✗"],
  [P.ABORTED, "⊘"],
  [P.SKIPPED, "-"],
  [P.TIMED_OUT, "⏱"],
]);

/** Readable names of a workflow's top-level nodes: the callee's exported (or given) name, or the node kind. */
export function nodeLabels(wf: WorkflowDef<any, any>, moduleExports: Record<string, unknown> = {}): Map<string, string> {
  const exported = new Map<unknown, string>(Object.entries(moduleExports).map(([k, v]) => [v, k]));
  const nameOf = (e: { explicitName: string | undefined }) => exported.get(e) ?? e.explicitName;
  const labels = new Map<string, string>();
  for (const n of wf.graph().nodes) {
    const tg = n.target;
    const label =
      tg.kind === "task" ? nameOf(tg.task)
      : tg.kind === "array" ? `map ${nameOf(tg.task) ?? ""}`.trim()
      : tg.kind === "workflow" ? nameOf(tg.workflow)
      : tg.kind === "launchPlan" ? nameOf(tg.launchPlan)
      : tg.kind === "branch" ? "branch"
      : tg.gate.kind;
    if (label) labels.set(n.id, n.overrides.name ?? label);
  }
  return labels;
}

export function progressSink(write: (line: string) => void, labels: ReadonlyMap<string, string> = new Map()): EventSink {
  const started = new Map<string, number>();
  return {
    workflow() {},
    task() {},
    node(e: event.NodeExecutionEvent) {
      const id = e.id?.nodeId ?? "?";
      if (id === "start-node" || id === "end-node") return;
      const at = e.occurredAt ? timestampMs(e.occurredAt) : Date.now();
      if (e.phase === P.RUNNING && !started.has(id)) started.set(id, at);
      const mark = terminal.get(e.phase);
      if (!mark) return;
      const t0 = started.get(id);
      const hit = e.targetMetadata.case === "taskNodeMetadata" && e.targetMetadata.value.cacheStatus === core.CatalogCacheStatus.CACHE_HIT;
      const took = hit ? " cache hit" : t0 !== undefined ? ` ${Math.max(0, at - t0)}ms` : "";
      const label = labels.get(id) ?? (e.nodeName !== id ? e.nodeName : "");
      const name = label ? ` ${label}` : "";
      const why = e.outputResult.case === "error" ? `: ${e.outputResult.value.message.split("\n")[0]}` : "";
      write(`  ${mark} ${id}${name}${took}${why}`);
    },
  };
}
