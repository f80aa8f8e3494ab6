// Running a Flyte 2 task tree locally: the task becomes the one node of a generated workflow (so it runs through
// the engine exactly as a Flyte 1 task node does), and the run's closure carries every task of its environments,
// the tasks it may call. Its children are the engine's child actions of that node.
import type { OutputDecl, ReturnValues } from "../entity.ts";
import { runWorkflow, type RunOptions, type RunResult } from "../local/run.ts";
import type { SchemaMap, ValuesOf } from "../types/schema.ts";
import { workflow, type WorkflowDef } from "../workflow.ts";
import { markGenerated } from "../serialize/identity.ts";
import { environmentOf } from "./environment.ts";
import type { Flyte2Task } from "./task.ts";
import type { TaskEntity } from "../task-entity.ts";

const wrappers = new WeakMap<object, WorkflowDef<SchemaMap, OutputDecl>>();

/** The workflow that runs `task` as its only node (made once per task). */
export function taskWorkflow<I extends SchemaMap, O extends OutputDecl>(task: Flyte2Task<I, O>): WorkflowDef<I, O> {
  let wf = wrappers.get(task);
  if (!wf) {
    const outputs = task.singleOutput ? task.outputs.o0 : task.outputs;
    wf = workflow({ name: task.explicitName!, inputs: task.inputs, outputs }, (i) => (task as unknown as (v: unknown) => unknown)(i) as never) as unknown as WorkflowDef<SchemaMap, OutputDecl>;
    markGenerated(wf, task);
    wrappers.set(task, wf);
  }
  return wf as unknown as WorkflowDef<I, O>;
}

/** Every task `task` may call: those of its environment and the environments it depends on. */
export function reachableTasks(task: TaskEntity): TaskEntity[] {
  return environmentOf(task)?.allTasks() ?? [task];
}

/** Runs a Flyte 2 task, and the tasks it calls, through the engine. */
export async function runTaskTree<I extends SchemaMap, O extends OutputDecl>(
  task: Flyte2Task<I, O>,
  inputs: Partial<ValuesOf<I>> & Record<string, unknown>,
  options: RunOptions = {},
): Promise<RunResult<O>> {
  const tasks = [...reachableTasks(task), ...(options.tasks ?? [])];
  return runWorkflow(taskWorkflow(task), inputs, { ...options, tasks }) as Promise<RunResult<O>>;
}
