// Services and settings handlers reach through their context, beyond their own action.
import type { core } from "@aloft/idl";
import type { Catalog } from "../catalog/catalog.ts";
import type { ExecutionResult, LiveAction } from "./live.ts";

export interface EngineSettings {
  /** Prefix for inputs.pb / outputs.pb / futures.pb of every action. */
  metadataPrefix: string;
  /** Default prefix for raw (offloaded) task data. */
  rawOutputPrefix: string;
  /** Retries spent on system errors, separate from a task's own retry budget. */
  maxSystemFailures: number;
  /** Default execution-wide max parallelism (0 = unlimited). */
  maxParallelism: number;
  /** Outputs up to this size (encoded) are kept in the action record; larger ones go to outputs.pb. */
  inlineOutputsMaxBytes: number;
}

/** Resolves a launch plan for a launch-plan node: the control plane supplies it. */
export type LaunchPlanResolver = (request: {
  launchPlan: core.Identifier;
  /** Inputs the node binds; the resolver merges the launch plan's defaults and fixed inputs. */
  inputs: core.LiteralMap;
  parentExecution: core.WorkflowExecutionIdentifier;
  parentNodeId: string;
}) => Promise<{ closure: core.CompiledWorkflowClosure; inputs: core.LiteralMap }>;

export interface EngineServices {
  readonly settings: EngineSettings;
  readonly launchPlans: LaunchPlanResolver | undefined;
  readonly catalog: Catalog | undefined;
  /** Value of a signal, if it has been set. */
  getSignal(execution: string, signalId: string): Promise<core.Literal | undefined>;
  /** Wakes `action` when the signal is set. */
  watchSignal(execution: string, signalId: string, action: LiveAction): void;
  /** Starts (idempotently) a child execution launched by a launch-plan node. */
  startChildExecution(request: {
    id: core.WorkflowExecutionIdentifier;
    closure: core.CompiledWorkflowClosure;
    inputs: core.LiteralMap;
    parentAction: LiveAction;
  }): Promise<void>;
  /** The result of an execution, once finished. */
  executionResult(id: core.WorkflowExecutionIdentifier): Promise<ExecutionResult | undefined>;
  abortExecution(id: core.WorkflowExecutionIdentifier, reason: string): Promise<void>;
}
