// In-memory view of executions and actions while the engine runs them. The records (`rec`) are what
// the store persists; everything else is derived on load (specs, inputs) or is scratch memory that a
// handler may lose on restart (and must be able to rebuild).
import type { core } from "@aloft/idl";
import type { ActionRecord, ExecutionRecord, ExecutionFailure, Phase } from "../model/action.ts";
import type { Scope } from "./scope.ts";

export type ActionSpec =
  | { kind: "workflow"; workflow: core.CompiledWorkflow; scope: Scope }
  | { kind: "node"; node: core.Node; scope: Scope }
  | { kind: "subtask"; node: core.Node; task: core.TaskTemplate; index: number; scope: Scope }
  | { kind: "call"; task: core.TaskTemplate; scope: Scope }
  | { kind: "trace"; scope: Scope };

/** What a leaf action reports as its children: shared, so it refuses additions (use addChild). */
class NoChildren extends Map<string, LiveAction> {
  override set(): this {
    throw new Error("LiveAction.children is read-only; use addChild");
  }
}
const NO_CHILDREN: ReadonlyMap<string, LiveAction> = new NoChildren();

export class LiveAction {
  // Made on the first child: most actions (task nodes) never have one, and a Map each is a cost in long chains.
  #children: Map<string, LiveAction> | undefined;
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

  get children(): ReadonlyMap<string, LiveAction> {
    return this.#children ?? NO_CHILDREN;
  }

  addChild(name: string, child: LiveAction): void {
    (this.#children ??= new Map()).set(name, child);
  }

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
