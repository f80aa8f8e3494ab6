// An in-process task plugin for tests: each task name maps to a function of the inputs.
import type { core } from "@aloft/idl";
import type { TaskExecutionContext, TaskPlugin, TaskResult } from "../plugins/plugin.ts";

export type TaskFn = (inputs: core.LiteralMap, ctx: TaskExecutionContext) => Promise<TaskResult> | TaskResult;

export class FunctionPlugin implements TaskPlugin {
  readonly name = "test-functions";
  readonly calls: Array<{ task: string; attempt: number; actionKey: string; nodeId: string; inputs: core.LiteralMap }> = [];
  constructor(readonly fns: Record<string, TaskFn>) {}
  canHandle(task: core.TaskTemplate): boolean {
    return (task.id?.name ?? "") in this.fns;
  }
  async execute(ctx: TaskExecutionContext): Promise<TaskResult> {
    const name = ctx.task.id!.name;
    this.calls.push({ task: name, attempt: ctx.attempt, actionKey: ctx.actionKey, nodeId: ctx.nodeId, inputs: ctx.inputs });
    return this.fns[name]!(ctx.inputs, ctx);
  }
}
