// Resolving what to launch on a server and starting it: a launch plan by name (latest version unless one is
// given), typed inputs from flags, and optional waiting with live progress.
import { admin, core } from "@aloft/idl";
import { UsageError, type CommandIO } from "../command.ts";
import type { Remote } from "./connection.ts";
import { errorText, executionPhase, outputsText } from "./format.ts";
import { watchExecution } from "./watch.ts";

/**
 * The launch plan `name` names: its full registered name, or the short name a user sees (`etlFlow` for
 * `examples.etl.etlFlow`) when exactly one registered name ends with it. Latest version unless one is given.
 */
export async function resolveLaunchPlan(remote: Remote, name: string, version: string | undefined): Promise<admin.LaunchPlan> {
  const fullName = await launchPlanName(remote, name);
  if (version) return remote.admin.getLaunchPlan({ id: { resourceType: core.ResourceType.LAUNCH_PLAN, project: remote.project, domain: remote.domain, name: fullName, version } });
  const res = await remote.admin.listLaunchPlans({
    id: { project: remote.project, domain: remote.domain, name: fullName },
    limit: 1,
    sortBy: { key: "created_at", direction: admin.Sort_Direction.DESCENDING },
  });
  const lp = res.launchPlans[0];
  if (!lp) throw new UsageError(`no launch plan named ${name} in ${remote.project}/${remote.domain}`);
  return lp;
}

async function launchPlanName(remote: Remote, name: string): Promise<string> {
  const names: string[] = [];
  let token = "";
  do {
    const page = await remote.admin.listLaunchPlanIds({ project: remote.project, domain: remote.domain, limit: 1000, token });
    names.push(...page.entities.map((e) => e.name));
    token = page.token;
  } while (token);
  if (names.includes(name)) return name;
  const matches = names.filter((n) => n.endsWith(`.${name}`));
  if (matches.length === 1) return matches[0]!;
  const where = `${remote.project}/${remote.domain}`;
  if (matches.length > 1) throw new UsageError(`"${name}" names several launch plans in ${where}; give the full name: ${matches.sort().join(", ")}`);
  const list = names.length === 0 ? "none is registered" : `registered: ${names.sort().slice(0, 30).join(", ")}${names.length > 30 ? ", …" : ""}`;
  throw new UsageError(`no launch plan named ${name} in ${where} (${list})`);
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
