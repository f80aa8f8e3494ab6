// Waiting for a remote execution with live progress: node phase changes are printed as they happen (polling the
// server, which is what flytectl and the console do too), and the final phase decides the exit code.
import { admin, core } from "@aloft/idl";
import type { CommandIO } from "../command.ts";
import type { Remote } from "./connection.ts";
import { cacheStatus, executionPhase, nodePhase } from "./format.ts";

const terminal = new Set([core.WorkflowExecution_Phase.SUCCEEDED, core.WorkflowExecution_Phase.FAILED, core.WorkflowExecution_Phase.ABORTED, core.WorkflowExecution_Phase.TIMED_OUT]);

export async function watchExecution(remote: Remote, id: core.WorkflowExecutionIdentifier, io: CommandIO, options: { quiet?: boolean; pollMs?: number } = {}): Promise<admin.Execution> {
  const seen = new Map<string, string>();
  let lastPhase = "";
  for (;;) {
    const ex = await remote.admin.getExecution({ id });
    const phase = executionPhase(ex.closure?.phase);
    if (!options.quiet) {
      if (phase !== lastPhase) io.err(`execution ${id.name}: ${phase}`);
      const nodes = await remote.admin.listNodeExecutions({ workflowExecutionId: id, limit: 1000 });
      for (const n of nodes.nodeExecutions) {
        const nodeId = n.id?.nodeId ?? "";
        if (nodeId === "start-node" || nodeId === "end-node") continue;
        const cache = cacheStatus(n);
        const p = `${nodePhase(n.closure?.phase)}${cache === "HIT" ? " (cache hit)" : ""}`;
        if (seen.get(nodeId) !== p) {
          seen.set(nodeId, p);
          io.err(`  ${nodeId}: ${p}`);
        }
      }
    }
    lastPhase = phase;
    if (terminal.has(ex.closure?.phase ?? 0)) return ex;
    await new Promise((r) => setTimeout(r, options.pollMs ?? 300));
  }
}
