// The bridge to @aloft/compiler: compile errors become one INVALID_ARGUMENT whose details list every error in
// Flyte's wording, as flyteadmin reports them.
import { compileTask, compileWorkflow, getRequirements, type LaunchPlanInterface, type Result } from "@aloft/compiler";
import type { core } from "@aloft/idl";
import { InvalidArgumentError } from "../errors.ts";

export type { LaunchPlanInterface };
export { areTypesCastable } from "@aloft/compiler";
export { literalTypeForLiteral } from "./literal-type.ts";

function unwrap<T>(r: Result<T>, what: string): T {
  if (r.ok) return r.value;
  throw new InvalidArgumentError(`failed to compile ${what}: ${r.errors.map((e) => e.message).join("; ")}`, []);
}

export function compileTaskOrThrow(template: core.TaskTemplate): core.CompiledTask {
  return unwrap(compileTask(template), `task ${template.id?.name ?? ""}`);
}

export function compileWorkflowOrThrow(
  primary: core.WorkflowTemplate,
  subWorkflows: core.WorkflowTemplate[],
  tasks: core.CompiledTask[],
  launchPlans: LaunchPlanInterface[],
  options: { takeOwnership?: boolean } = {},
): core.CompiledWorkflowClosure {
  return unwrap(compileWorkflow(primary, subWorkflows, tasks, launchPlans, options), `workflow ${primary.id?.name ?? ""}`);
}

export function requirementsOf(primary: core.WorkflowTemplate, subWorkflows: core.WorkflowTemplate[]): { taskIds: core.Identifier[]; launchPlanIds: core.Identifier[] } {
  return unwrap(getRequirements(primary, subWorkflows), `workflow ${primary.id?.name ?? ""}`);
}
