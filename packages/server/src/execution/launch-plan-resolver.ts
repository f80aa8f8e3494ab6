// Launch-plan nodes: the engine asks the control plane for the launch plan's compiled workflow and the inputs the
// child execution runs with (the node's inputs completed by the launch plan's defaults and fixed inputs).
import { fromBinary } from "@bufbuild/protobuf";
import { admin, core } from "@aloft/idl";
import type { LaunchPlanResolver } from "@aloft/engine";
import { InvalidArgumentError } from "../errors.ts";
import type { AdminContext } from "../context.ts";
import { getLaunchPlanRow } from "../admin/launch-plan-rows.ts";
import { getCompiledWorkflow } from "../admin/workflows.ts";
import { resolveExecutionInputs } from "../admin/executions/inputs.ts";
import { requireIdentifier } from "../admin/validate.ts";
import type { ChildExecutions } from "./child-executions.ts";

export function launchPlanResolver(ctx: () => AdminContext, children?: ChildExecutions): LaunchPlanResolver {
  return async ({ launchPlan, inputs, parentExecution, parentNodeId }) => {
    const key = requireIdentifier(launchPlan, "launch_plan", core.ResourceType.LAUNCH_PLAN);
    const row = await getLaunchPlanRow(ctx(), key);
    if (!row) throw new InvalidArgumentError(`launch plan ${key.project}/${key.domain}/${key.name}/${key.version} is not registered`);
    const spec = fromBinary(admin.LaunchPlanSpecSchema, row.spec);
    const closure = fromBinary(admin.LaunchPlanClosureSchema, row.closure);
    const wf = spec.workflowId!;
    const compiled = await getCompiledWorkflow(ctx(), { project: wf.project, domain: wf.domain, name: wf.name, version: wf.version });
    children?.resolved({ project: parentExecution.project, domain: parentExecution.domain, name: parentExecution.name }, parentNodeId, launchPlan, inputs);
    return { closure: compiled, inputs: resolveExecutionInputs(inputs, spec.fixedInputs, closure.expectedInputs) };
  };
}
