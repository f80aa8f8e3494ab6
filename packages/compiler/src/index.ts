// Public surface of @aloft/compiler.
export { compileTask } from "./task.ts";
export { compileWorkflow } from "./workflow.ts";
export { getRequirements, type WorkflowRequirements } from "./requirements.ts";
export { areTypesCastable } from "./castability.ts";
export { CompileError, ErrorCodes, type CompileErrorCode } from "./errors.ts";
export type { Result } from "./result.ts";
export { END_NODE_ID, START_NODE_ID, type LaunchPlanInterface } from "./builder.ts";
