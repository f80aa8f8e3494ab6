// Rebuilding a live execution from the store after a restart: the action tree, each action's spec
// (derived top-down through the parent's handler), then every unfinished action is woken.
import { create, fromBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { InvalidArgumentError } from "../errors.ts";
import { isTerminal, type ActionRecord, type ExecutionRecord } from "../model/action.ts";
import type { Executor } from "./executor.ts";
import { LiveAction, LiveExecution } from "./live.ts";
import { Scope } from "./scope.ts";

export function executionIdOf(rec: ExecutionRecord): core.WorkflowExecutionIdentifier {
  return create(core.WorkflowExecutionIdentifierSchema, { project: rec.project, domain: rec.domain, name: rec.name });
}

export function newLiveExecution(rec: ExecutionRecord, closure: core.CompiledWorkflowClosure): LiveExecution {
  if (!closure.primary?.template) throw new InvalidArgumentError("closure.primary.template", "is missing");
  return new LiveExecution(rec, executionIdOf(rec), closure, Scope.fromClosure(closure));
}

export async function loadExecution(executor: Executor, rec: ExecutionRecord): Promise<LiveExecution> {
  const closure = fromBinary(core.CompiledWorkflowClosureSchema, rec.closure);
  const exec = newLiveExecution(rec, closure);
  const records = await executor.store.listActions(rec.key);
  const byParent = new Map<string | null, ActionRecord[]>();
  for (const r of records) {
    let list = byParent.get(r.parent);
    if (!list) byParent.set(r.parent, (list = []));
    list.push(r);
  }
  const rootRec = byParent.get(null)?.[0];
  if (!rootRec) throw new InvalidArgumentError(`execution ${rec.key}`, "has no root action in the store");
  const root = new LiveAction(rootRec, exec, undefined, { kind: "workflow", workflow: closure.primary!, scope: exec.scope });
  exec.root = root;
  exec.members.push(root);
  executor.actions.set(root.key, root);
  // Breadth-first so every parent has its spec before its children ask for theirs.
  const queue: LiveAction[] = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    const kids = byParent.get(parent.key) ?? [];
    if (kids.length === 0) continue;
    const handler = executor.handlerFor(parent);
    const pctx = executor.context(parent);
    for (const r of kids) {
      if (!handler.childSpec) throw new InvalidArgumentError(r.key, "its parent kind cannot have children");
      const spec = await handler.childSpec(pctx, r);
      const child = new LiveAction(r, exec, parent, spec);
      parent.addChild(r.name, child);
      exec.members.push(child);
      executor.actions.set(child.key, child);
      queue.push(child);
    }
  }
  // An attempt recorded as started but never as ended ran in the engine that stopped; its process died with it.
  // The task handler records it as lost and retries it (a system failure) instead of running the same attempt again.
  for (const t of await executor.store.listRunningAttempts(rec.key)) {
    const a = executor.actions.get(t.action);
    if (a && a.rec.attempt === t.attempt && !isTerminal(a.rec.phase)) a.scratch.lostAttempt = t;
  }
  return exec;
}
