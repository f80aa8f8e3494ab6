// In-memory view of executions and actions while the engine runs them. The records (`rec`) are what
// the store persists; everything else is derived on load (specs, inputs) or is scratch memory that a
// handler may lose on restart (and must be able to rebuild).
import type { core } from "@aloft/idl";
import type { ActionRecord, ExecutionRecord, ExecutionFailure, Phase } from "../model/action.ts";
import type { Scope } from "./scope.ts";

export type ActionSpec =
  | { kind: "workflow"; workflow: core.CompiledWorkflow; scope: Scope }
  | { kind: "node"; node: core.Node; scope: Scope }
  | { kind: "subtask"; node: core.Node; task: core.TaskTemplate; index: number; scope: Scope };

export class LiveAction {
  readonly children = new Map<string, LiveAction>();
  inputs: core.LiteralMap | undefined;
  outputs: core.LiteralMap | undefined;
  /** Handler memory; empty again after a restart. */
  scratch: Record<string, unknown> = {};
  /** Names of children that reached a terminal phase since the last handle. */
  changed: string[] = [];
  dirty = false;
  /** The executor's ActionContext for this action, made on first use. */
  context: unknown;

  constructor(
    public rec: ActionRecord,
    readonly exec: LiveExecution,
    readonly parent: LiveAction | undefined,
    public spec: ActionSpec,
  ) {}

  get key(): string {
    return this.rec.key;
  }
  get phase(): Phase {
    return this.rec.phase;
  }
}

export interface ExecutionResult {
  phase: Phase;
  outputs?: core.LiteralMap;
  error?: ExecutionFailure;
}

export class LiveExecution {
  root!: LiveAction;
  /** Task attempts currently holding a parallelism slot. */
  running = 0;
  readonly slotWaiters: LiveAction[] = [];
  readonly waiters: Array<(r: ExecutionResult) => void> = [];
  /** Every live action of this execution (dropped from the engine together when it finishes). */
  readonly members: LiveAction[] = [];
  dirty = false;
  timer: NodeJS.Timeout | undefined;

  constructor(
    public rec: ExecutionRecord,
    readonly id: core.WorkflowExecutionIdentifier,
    readonly closure: core.CompiledWorkflowClosure,
    readonly scope: Scope,
  ) {}
}
