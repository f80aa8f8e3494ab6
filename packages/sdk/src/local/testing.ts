// Test helpers: run one task the way a workflow would (through the engine: retries, type conversion, the same
// literals), without writing a workflow around it.
import type { OutputDecl, ReturnValues } from "../entity.ts";
import { isSchema } from "../entity.ts";
import type { TaskDef } from "../task.ts";
import type { SchemaMap, ValuesOf } from "../types/schema.ts";
import { workflow } from "../workflow.ts";
import { runWorkflow, type RunOptions } from "./run.ts";

export async function runTaskLocally<I extends SchemaMap, O extends OutputDecl>(
  task: TaskDef<I, O>,
  inputs: ValuesOf<I>,
  options: RunOptions = {},
): Promise<ReturnValues<O>> {
  const decl = (task.singleOutput ? task.outputs.o0 : task.outputs) as OutputDecl;
  const name = `${task.explicitName ?? "task"}-as-workflow`;
  const wf = workflow({ name, inputs: task.inputs, outputs: decl }, (refs) => (task as unknown as (i: unknown) => unknown)(refs) as never);
  const { outputs } = await runWorkflow(wf, inputs as Record<string, unknown>, options);
  // A task without outputs returns nothing, whatever the wrapping workflow carried.
  return (isSchema(decl) || Object.keys(task.outputs).length > 0 ? outputs : undefined) as ReturnValues<O>;
}
