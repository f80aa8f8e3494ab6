// `dynamic(options, fn)`: a task whose function receives real input values and builds a workflow from them at
// run time (calls inside it add nodes, as in a workflow function). The runtime serializes that graph as a
// core.DynamicJobSpec, which the engine then runs (Flyte's @dynamic).
import { callerFile } from "./defined-in.ts";
import type { OutputDecl, WorkflowReturn } from "./entity.ts";
import { functionTask, type TaskContext, type TaskDef, type TaskFn, type TaskOptions } from "./task.ts";
import type { SchemaMap, ValuesOf } from "./types/schema.ts";

export type DynamicFn<I extends SchemaMap, O extends OutputDecl> = (inputs: ValuesOf<I>, ctx: TaskContext) => WorkflowReturn<O>;

export function dynamic<I extends SchemaMap = {}, O extends OutputDecl = undefined>(options: TaskOptions<I, O>, fn: DynamicFn<I, O>): TaskDef<I, O> {
  return functionTask(options, fn as unknown as TaskFn<I, O>, "dynamic", callerFile());
}
