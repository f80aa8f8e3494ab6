// `aloft run --remote`: register the file (fast registration), launch the workflow's launch plan with the given
// inputs on the server, and follow it to completion.
import { isFlyte2Task, isLaunchPlan, loadWorkflowModule, pickWorkflow, taskWorkflow, type SchemaMap } from "@aloft/sdk";
import type { CommandIO } from "../command.ts";
import { connect, takeCommonFlags } from "./connection.ts";
import { parseRemoteInputs } from "./inputs.ts";
import { finish, resolveLaunchPlan } from "./launch.ts";
import { registerModule } from "./register.ts";
import { finishWithReport } from "../node-report.ts";

export async function runRemote(request: { file: string; workflow: string; argv: string[]; nodes?: boolean; json?: boolean }, io: CommandIO): Promise<number> {
  const { flags, rest } = takeCommonFlags(request.argv);
  const remote = connect(flags);
  const mod = await loadWorkflowModule(request.file);
  const exported = mod.exports[request.workflow];
  const entity = isFlyte2Task(exported) ? taskWorkflow(exported) : pickWorkflow(mod, request.file, request.workflow);
  const reg = await registerModule(remote, request.file);
  io.err(`registered version ${reg.version}`);
  // A workflow runs through its default launch plan, which carries the workflow's name.
  // A workflow given its own `name` is registered under it, else as `<module>.<export>`.
  const explicit = (entity as { explicitName?: string }).explicitName;
  const lpName = isLaunchPlan(entity)
    ? reg.launchPlans.find((n) => n === (explicit ?? (entity as { name?: string }).name)) ?? request.workflow
    : (explicit && reg.workflows.find((w) => w === explicit)) ?? reg.workflows.find((w) => w.endsWith(`.${request.workflow}`) || w === request.workflow) ?? request.workflow;
  const lp = await resolveLaunchPlan(remote, lpName, reg.version);
  const literals = parseRemoteInputs(rest, lp.closure?.expectedInputs);
  const res = await remote.admin.createExecution({ project: remote.project, domain: remote.domain, spec: { launchPlan: lp.id }, inputs: { literals } });
  io.err(`execution ${res.id!.name} started on ${remote.endpoint}`);
  if (request.nodes || request.json) {
    const wf = isLaunchPlan(entity) ? entity.workflow : entity;
    return finishWithReport(remote, res.id!, io, wf.outputs as SchemaMap, { nodes: request.nodes ?? false, json: request.json ?? false });
  }
  return finish(remote, res.id!, io);
}
