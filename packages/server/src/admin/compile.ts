// The bridge to @aloft/compiler: compile errors become one INVALID_ARGUMENT whose details list every error in
// Flyte's wording, as flyteadmin reports them.
import * as compiler from "@aloft/compiler";
import type { core } from "@aloft/idl";
import { InvalidArgumentError, UnimplementedError } from "../errors.ts";

type Result<T> = { ok: true; value: T } | { ok: false; errors: { message: string }[] };

export interface LaunchPlanInterface {
  id: core.Identifier;
  expectedInputs?: core.ParameterMap | undefined;
  expectedOutputs?: core.VariableMap | undefined;
}

interface CompilerApi {
  compileTask(template: core.TaskTemplate): Result<core.CompiledTask>;
  compileWorkflow(
    primary: core.WorkflowTemplate,
    subWorkflows: core.WorkflowTemplate[],
    tasks: core.CompiledTask[],
    launchPlans: LaunchPlanInterface[],
  ): Result<core.CompiledWorkflowClosure>;
  getRequirements(
    template: core.WorkflowTemplate,
    subWorkflows: core.WorkflowTemplate[],
  ): Result<{ taskIds: core.Identifier[]; launchPlanIds: core.Identifier[] }>;
  areTypesCastable(upstream: core.LiteralType | undefined, downstream: core.LiteralType | undefined): boolean;
  literalTypeForLiteral(literal: core.Literal): core.LiteralType | undefined;
}

function api(): CompilerApi {
  const c = compiler as unknown as Partial<CompilerApi>;
  if (!c.compileTask || !c.compileWorkflow || !c.getRequirements || !c.areTypesCastable || !c.literalTypeForLiteral) {
    throw new UnimplementedError("the compiler package does not export compileTask/compileWorkflow/getRequirements/areTypesCastable/literalTypeForLiteral yet");
  }
  return c as CompilerApi;
}

function unwrap<T>(r: Result<T>, what: string): T {
  if (r.ok) return r.value;
  throw new InvalidArgumentError(`failed to compile ${what}: ${r.errors.length} error(s)`, r.errors.map((e) => e.message));
}

export function compileTaskOrThrow(template: core.TaskTemplate): core.CompiledTask {
  return unwrap(api().compileTask(template), `task ${template.id?.name ?? ""}`);
}

export function compileWorkflowOrThrow(
  primary: core.WorkflowTemplate,
  subWorkflows: core.WorkflowTemplate[],
  tasks: core.CompiledTask[],
  launchPlans: LaunchPlanInterface[],
): core.CompiledWorkflowClosure {
  return unwrap(api().compileWorkflow(primary, subWorkflows, tasks, launchPlans), `workflow ${primary.id?.name ?? ""}`);
}

export function requirementsOf(primary: core.WorkflowTemplate, subWorkflows: core.WorkflowTemplate[]): { taskIds: core.Identifier[]; launchPlanIds: core.Identifier[] } {
  return unwrap(api().getRequirements(primary, subWorkflows), `workflow ${primary.id?.name ?? ""}`);
}

export function areTypesCastable(upstream: core.LiteralType | undefined, downstream: core.LiteralType | undefined): boolean {
  return api().areTypesCastable(upstream, downstream);
}

export function literalTypeForLiteral(literal: core.Literal): core.LiteralType | undefined {
  return api().literalTypeForLiteral(literal);
}
