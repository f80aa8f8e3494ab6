// Resolving what to launch on a server and starting it: a launch plan by name (latest version unless one is
// given), typed inputs from flags, and optional waiting with live progress.
import { admin, core } from "@aloft/idl";
import { UsageError, type CommandIO } from "../command.ts";
import type { Remote } from "./connection.ts";
import { errorText, executionPhase, outputsText } from "./format.ts";
import { watchExecution } from "./watch.ts";

export async function resolveLaunchPlan(remote: Remote, name: string, version: string | undefined): Promise<admin.LaunchPlan> {
  if (version) return remote.admin.getLaunchPlan({ id: { resourceType: core.ResourceType.LAUNCH_PLAN, project: remote.project, domain: remote.domain, name, version } });
  const res = await remote.admin.listLaunchPlans({
    id: { project: remote.project, domain: remote.domain, name },
    limit: 1,
    sortBy: { key: "created_at", direction: admin.Sort_Direction.DESCENDING },
  });
  const lp = res.launchPlans[0];
  if (!lp) throw new UsageError(`no launch plan named ${name} in ${remote.project}/${remote.domain}`);
  return lp;
}

/** Waits for the execution, prints its outputs or error, and returns the exit code. */
export async function finish(remote: Remote, id: core.WorkflowExecutionIdentifier, io: CommandIO, quiet = false): Promise<number> {
  const ex = await watchExecution(remote, id, io, { quiet });
  const phase = executionPhase(ex.closure?.phase);
  if (phase === "SUCCEEDED") {
    const data = await remote.admin.getExecutionData({ id });
    io.out(outputsText(data.fullOutputs));
    return 0;
  }
  io.err(`execution ${id.name} ${phase}${errorText(ex) ? `: ${errorText(ex)}` : ""}`);
  return 1;
}
