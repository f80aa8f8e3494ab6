// Waiting for a remote execution with live progress: node phase changes are printed as they happen (polling the
// server, which is what flytectl and the console do too), each node by id and name (`n1 summarise`, map items as
// `n0 map[3] scoreReview`), cache hits said; the execution's own final line comes after its nodes' lines, and the
// final phase decides the exit code.
import { admin, core } from "@aloft/idl";
import type { CommandIO } from "../command.ts";
import type { Remote } from "./connection.ts";
import { cacheStatus, executionPhase, nodePhase } from "./format.ts";
import { executionNodeLabels, mapItemLabel } from "./node-labels.ts";

const terminal = new Set([core.WorkflowExecution_Phase.SUCCEEDED, core.WorkflowExecution_Phase.FAILED, core.WorkflowExecution_Phase.ABORTED, core.WorkflowExecution_Phase.TIMED_OUT]);
const nodeDone = new Set([core.NodeExecution_Phase.SUCCEEDED, core.NodeExecution_Phase.FAILED, core.NodeExecution_Phase.ABORTED, core.NodeExecution_Phase.SKIPPED, core.NodeExecution_Phase.TIMED_OUT, core.NodeExecution_Phase.RECOVERED]);

export async function watchExecution(remote: Remote, id: core.WorkflowExecutionIdentifier, io: CommandIO, options: { quiet?: boolean; pollMs?: number } = {}): Promise<admin.Execution> {
  const seen = new Map<string, string>();
  let labels: Map<string, string> | undefined;
  let lastPhase = "";
  const show = (n: admin.NodeExecution, text: string) => {
    const nodeId = n.id?.nodeId ?? "";
    const cache = cacheStatus(n);
    const p = `${nodePhase(n.closure?.phase)}${cache === "HIT" ? " (cache hit)" : ""}`;
    if (seen.get(nodeId) === p) return;
    seen.set(nodeId, p);
    io.err(`  ${text}: ${p}`);
  };
  for (;;) {
    const ex = await remote.admin.getExecution({ id });
    const phase = executionPhase(ex.closure?.phase);
    const done = terminal.has(ex.closure?.phase ?? 0);
    if (!options.quiet) {
      labels ??= await executionNodeLabels(remote, ex);
      const nodes = await remote.admin.listNodeExecutions({ workflowExecutionId: id, limit: 1000 });
      for (const n of nodes.nodeExecutions) {
        const nodeId = n.id?.nodeId ?? "";
        if (nodeId === "start-node" || nodeId === "end-node") continue;
        const name = labels.get(nodeId);
        // A map node's items, until the map node is done (then they are, too).
        if (n.metadata?.isArray && !seen.has(`${nodeId}/done`)) {
          const items = await remote.admin.listNodeExecutions({ workflowExecutionId: id, uniqueParentId: nodeId, limit: 10_000 });
          for (const item of items.nodeExecutions) show(item, `${nodeId} ${mapItemLabel(name, item.id?.nodeId ?? "")}`);
          if (nodeDone.has(n.closure?.phase ?? 0)) seen.set(`${nodeId}/done`, "");
        }
        show(n, name ? `${nodeId} ${name}` : nodeId);
      }
      if (phase !== lastPhase) io.err(`execution ${id.name}: ${phase}`);
    }
    lastPhase = phase;
    if (done) return ex;
    await new Promise((r) => setTimeout(r, options.pollMs ?? 300));
  }
}
