// Shows a local run's progress: one line per node as it finishes, with its duration and, for failures, why.
import { core, type event } from "@aloft/idl";
import type { EventSink } from "@aloft/engine";
import { timestampMs } from "@bufbuild/protobuf/wkt";

const P = core.NodeExecution_Phase;
const terminal = new Map<number, string>([
  [P.SUCCEEDED, "✓"],
  [P.FAILED, "✗"],
  [P.ABORTED, "⊘"],
  [P.SKIPPED, "-"],
  [P.TIMED_OUT, "⏱"],
]);

export function progressSink(write: (line: string) => void): EventSink {
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
      const took = t0 !== undefined ? ` ${Math.max(0, at - t0)}ms` : "";
      const name = e.nodeName && e.nodeName !== id ? ` ${e.nodeName}` : "";
      const why = e.outputResult.case === "error" ? `: ${e.outputResult.value.message.split("\n")[0]}` : "";
      write(`  ${mark} ${id}${name}${took}${why}`);
    },
  };
}
