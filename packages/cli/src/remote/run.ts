// `aloft run --remote`: check the inputs, register the file (fast registration; unchanged code reuses the version
// registered before), launch the workflow's launch plan with the given inputs on the server, and follow it to
// completion.
import { isLaunchPlan, type LaunchPlanDef, type OutputDecl, type SchemaMap, type WorkflowDef } from "@aloft/sdk";
import type { CommandIO } from "../command.ts";
import { connect, takeCommonFlags } from "./connection.ts";
import { parseRemoteInputs } from "./inputs.ts";
import { finish, resolveLaunchPlan } from "./launch.ts";
import { registerModule } from "./register.ts";
import { finishWithReport } from "../node-report.ts";

export interface RemoteRunRequest {
  file: string;
  workflow: string;
  /** What `workflow` names in the file, loaded already. */
  entity: WorkflowDef<SchemaMap, OutputDecl> | LaunchPlanDef<SchemaMap, OutputDecl>;
  /** Inputs (`--<name> <value>`) with --endpoint, --project and --domain among them. */
  argv: string[];
  /** Parses the inputs by the workflow's declared types, throwing what is wrong (before anything is registered). */
  check(inputs: string[]): unknown;
  nodes?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export async function runRemote(request: RemoteRunRequest, io: CommandIO): Promise<number> {
  const { flags, rest } = takeCommonFlags(request.argv);
  request.check(rest);
  const { entity } = request;
  // Under --json stdout is one JSON document and stderr stays quiet, as in a local run.
  const quiet = (request.quiet ?? false) || (request.json ?? false);
  const remote = connect(flags);
  const reg = await registerModule(remote, request.file);
  if (!quiet) io.err(reg.reused ? `version ${reg.version} is registered already (same code)` : `registered version ${reg.version}`);
  // A workflow runs through its default launch plan, which carries the workflow's name.
  // A workflow given its own `name` is registered under it, else as `<module>.<export>`.
  const explicit = (entity as { explicitName?: string }).explicitName;
  const lpName = isLaunchPlan(entity)
    ? reg.launchPlans.find((n) => n === (explicit ?? (entity as { name?: string }).name)) ?? request.workflow
    : (explicit && reg.workflows.find((w) => w === explicit)) ?? reg.workflows.find((w) => w.endsWith(`.${request.workflow}`) || w === request.workflow) ?? request.workflow;
  const lp = await resolveLaunchPlan(remote, lpName, reg.version);
  const literals = parseRemoteInputs(rest, lp.closure?.expectedInputs);
  const res = await remote.admin.createExecution({ project: remote.project, domain: remote.domain, spec: { launchPlan: lp.id }, inputs: { literals } });
  if (!quiet) io.err(`execution ${res.id!.name} started on ${remote.endpoint}`);
  if (request.nodes || request.json) {
    const wf = isLaunchPlan(entity) ? entity.workflow : entity;
    return finishWithReport(remote, res.id!, io, wf.outputs as SchemaMap, { nodes: request.nodes ?? false, json: request.json ?? false, quiet });
  }
  return finish(remote, res.id!, io, quiet);
}
