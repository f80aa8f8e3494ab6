// Public surface of @aloft/compiler: Flyte-compatible task and workflow compilation.
export { compileTask } from "./task.ts";
export { compileWorkflow, type CompileWorkflowOptions } from "./workflow.ts";
export { getRequirements, type WorkflowRequirements } from "./requirements.ts";
export {
  compileDynamicJobSpec,
  dynamicJobRequirements,
  dynamicWorkflowTemplate,
  type DynamicJobContext,
} from "./dynamic.ts";
export { launchPlanInterface } from "./launch-plan.ts";
export { areTypesCastable } from "./castability.ts";
export { CompileError, ErrorCodes, formatCompileErrors, type CompileErrorCode } from "./errors.ts";
export type { Result } from "./result.ts";
export { END_NODE_ID, START_NODE_ID, type LaunchPlanInterface } from "./builder.ts";
