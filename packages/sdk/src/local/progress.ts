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

/** A map item's label from its map node's (`map scoreReview`) and the item's id (its index last): `map[17] scoreReview`. */
export function mapItemLabel(mapLabel: string | undefined, itemId: string): string {
  const index = /(\d+)$/.exec(itemId)?.[1] ?? "?";
  const task = mapLabel?.replace(/^map ?/, "");
  return `map[${index}]${task ? ` ${task}` : ""}`;
}

/** `examples.fan-out.scoreReview` (or a map item's `….scoreReview.map`) → `scoreReview`. */
const taskShortName = (name: string) => name.replace(/\.map$/, "").split(".").pop() ?? name;

/**
 * Progress lines of a run: `✓ n1 summarise 4ms`, `✓ n0 map[2] scoreReview 1ms`, `✓ n0 slowSquare cache hit`. Nodes
 * the labels do not name (inside dynamic workflows and subworkflows) are named by the task their attempts ran.
 */
export function progressSink(write: (line: string) => void, labels: ReadonlyMap<string, string> = new Map()): EventSink {
  const started = new Map<string, number>();
  const tasks = new Map<string, string>();
  const nameOf = (id: string) => labels.get(id) ?? tasks.get(id);
  return {
    workflow() {},
    task(e: event.TaskExecutionEvent) {
      const node = e.parentNodeExecutionId?.nodeId;
      if (node && e.taskId?.name && !tasks.has(node)) tasks.set(node, taskShortName(e.taskId.name));
    },
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
      const parent = e.parentNodeMetadata?.nodeId;
      const parentLabel = parent ? nameOf(parent) : undefined;
      // A map item shows as its map node's id and `map[<index>] <task>`.
      const item = parent !== undefined && parentLabel?.startsWith("map");
      const label = item ? mapItemLabel(parentLabel, id) : (nameOf(id) ?? (e.nodeName !== id ? e.nodeName : ""));
      const name = label ? ` ${label}` : "";
      const why = e.outputResult.case === "error" ? `: ${e.outputResult.value.message.split("\n")[0]}` : "";
      write(`  ${mark} ${item ? parent : id}${name}${took}${why}`);
    },
  };
}
