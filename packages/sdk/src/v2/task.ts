// Flyte 2 tasks: `env.task({ name, inputs, outputs }, async (inputs, ctx) => ...)`. Inside a running task, awaiting
// another task makes a durable child action (the engine's `call` action) and gives back its outputs, or throws
// ActionFailedError; inside a Flyte 1 workflow the same task adds a task node. The task is an ordinary task entity
// (serialized, cached and run like any TypeScript task), so Flyte 1 and Flyte 2 tasks share one run tree.
import type { core } from "@aloft/idl";
import { isBuilding } from "../builder.ts";
import { addCall } from "../call.ts";
import type { CallInputs, CallOptions, CallResult, OutputDecl, ReturnValues } from "../entity.ts";
import { functionTask, type TaskContext, type TaskDef, type TaskFn, type TaskOptions } from "../task.ts";
import type { TaskEntity } from "../task-entity.ts";
import type { Infer, SchemaMap } from "../types/schema.ts";
import { CALL_ENV, currentRun, runContext, type RunContext, type TaskContextCalls } from "./context.ts";
import { inputLiteralsOf, outputValuesOf } from "./convert.ts";
import { ActionFailedError } from "./errors.ts";
import { asNodeOverrides, checkOverrides, overriddenTemplate, type TaskOverrides } from "./override.ts";

/** Inputs of a call inside a task: plain values; nullable inputs may be left out. */
export type TaskInputs<I extends SchemaMap> = {
  [K in keyof I as null extends Infer<I[K]> ? never : K]: Infer<I[K]>;
} & {
  [K in keyof I as null extends Infer<I[K]> ? K : never]?: Infer<I[K]>;
};

export interface Flyte2Task<I extends SchemaMap, O extends OutputDecl> extends TaskEntity {
  /** Inside a running task: runs this task as a child action and resolves to its outputs. */
  (inputs: TaskInputs<I>): Promise<ReturnValues<O>>;
  /** Inside a Flyte 1 workflow: adds a task node. */
  (inputs: CallInputs<I>, options?: CallOptions): CallResult<O>;
  readonly flyte2: true;
  /** The environment's name. */
  readonly environmentName: string;
  readonly fn: TaskFn<I, O>;
  readonly singleOutput: boolean;
  readonly mode: "function";
  /** The same task with other retries, timeout, resources, cache use (Flyte 2's `task.override`). */
  override(overrides: TaskOverrides): Flyte2Task<I, O>;
}

export function isFlyte2Task(x: unknown): x is Flyte2Task<SchemaMap, OutputDecl> {
  return typeof x === "function" && (x as { flyte2?: unknown }).flyte2 === true;
}

/** The task function run with the call context of its attempt, so the tasks it awaits become its children. */
function withCalls<I extends SchemaMap, O extends OutputDecl>(fn: TaskFn<I, O>): TaskFn<I, O> {
  return (values, tctx: TaskContext) => {
    const calls = (tctx as TaskContext & TaskContextCalls)[CALL_ENV];
    // Without a call environment (a runtime that offers none) calls fail as made outside a task, never reach
    // another task's context.
    if (!calls) return runContext.exit(() => fn(values, tctx));
    const rc: RunContext = { env: calls.env, convert: calls.convert, group: undefined };
    return runContext.run(rc, () => fn(values, tctx));
  };
}

// Templates of overridden calls, by base template and overrides object: one clone per call site, not per call.
const overridden = new WeakMap<core.TaskTemplate, WeakMap<TaskOverrides, core.TaskTemplate>>();

async function callChild(root: TaskDef<SchemaMap, OutputDecl>, overrides: TaskOverrides | undefined, values: unknown): Promise<unknown> {
  const label = `task ${root.explicitName}`;
  const rc = currentRun(label);
  // Numbered now, before any await: calls are numbered in the order the code made them.
  const seq = rc.env.actions().sequence(root.explicitName ?? "", rc.group);
  const inputs = await inputLiteralsOf(root.inputs, values, rc.convert, label);
  let template = await rc.env.templateOf(root);
  if (overrides) {
    let byOverrides = overridden.get(template);
    if (!byOverrides) overridden.set(template, (byOverrides = new WeakMap()));
    let t = byOverrides.get(overrides);
    if (!t) byOverrides.set(overrides, (t = overriddenTemplate(template, overrides, label)));
    template = t;
  }
  const outcome = await rc.env.actions().call({ task: template, inputs, seq, ...(rc.group ? { group: rc.group } : {}) });
  if (outcome.phase !== "SUCCEEDED") {
    const e = outcome.error;
    throw new ActionFailedError(root.explicitName ?? "", outcome.action, outcome.phase, e.kind, e.code, e.message);
  }
  return outputValuesOf(root.outputs, root.singleOutput, outcome.outputs, rc.convert, label);
}

export function flyte2Task<I extends SchemaMap, O extends OutputDecl>(
  environmentName: string,
  options: TaskOptions<I, O> & { name: string },
  fn: TaskFn<I, O>,
  definedIn: string,
): Flyte2Task<I, O> {
  const base = functionTask(options, withCalls(fn), "function", definedIn);
  const root = make(undefined);
  function make(overrides: TaskOverrides | undefined): Flyte2Task<I, O> {
    const call = (values: Record<string, unknown>, callOptions?: CallOptions): unknown => {
      if (isBuilding()) {
        // A Flyte 1 workflow's node: the node names the root task (one entity per name), with the overrides.
        const spec = { label: `task "${options.name}"`, target: { kind: "task" as const, task: root }, inputs: base.inputs, outputs: base.outputs, single: base.singleOutput };
        return addCall(spec, values, { ...(overrides ? asNodeOverrides(overrides) : {}), ...callOptions });
      }
      return callChild(root as unknown as TaskDef<SchemaMap, OutputDecl>, overrides, values);
    };
    const def = Object.assign(call, base, {
      flyte2: true as const,
      environmentName,
      override(o: TaskOverrides) {
        checkOverrides(o, `task ${options.name}`);
        return make({ ...overrides, ...o });
      },
    });
    return def as unknown as Flyte2Task<I, O>;
  }
  return root;
}
