// `task(options, fn)`: a TypeScript function run by Aloft's task runtime. Its declared schemas give both the
// function's TypeScript signature and the FlyteIDL interface; calling it inside a workflow adds a task node.
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { addCall } from "./call.ts";
import { callerFile } from "./defined-in.ts";
import type { CallInputs, CallOptions, CallResult, OutputDecl, ReturnValues } from "./entity.ts";
import { isSchema, normalizeOutputs } from "./entity.ts";
import { DefinitionError } from "./errors.ts";
import { checkOptionKeys, TASK_COMMON_KEYS } from "./options.ts";
import { container, securityContext, taskMetadata, typedInterface } from "./serialize/task-parts.ts";
import { checkInputNames, type TaskCommonOptions, type TaskEntity, type TemplateContext } from "./task-entity.ts";
import type { SchemaMap, ValuesOf } from "./types/schema.ts";
import type { TaskSecrets } from "./runtime/secrets.ts";

/** Flyte task type of tasks the Aloft TypeScript runtime executes. */
export const TYPESCRIPT_TASK_TYPE = "typescript-task";

/** The container args that start Aloft's task runtime, in the layout agreed with the engine and server. */
export function runtimeArgs(modulePath: string, exportName: string, codeBundle?: string): string[] {
  return [
    "aloft-task",
    "--inputs", "{{.input}}",
    "--output-prefix", "{{.outputPrefix}}",
    "--raw-output-data-prefix", "{{.rawOutputDataPrefix}}",
    "--module", modulePath,
    "--task", exportName,
    ...(codeBundle !== undefined ? ["--code-bundle", codeBundle] : []),
  ];
}

/** What a running task can see about itself. */
export interface TaskContext {
  /** The task's Flyte name. */
  taskName: string;
  /** A private directory the task may write to; removed after the task. */
  scratchDir: string;
  /** Where the task's offloaded outputs go. */
  rawOutputPrefix: string;
  /** The secrets the task declared (`secrets` option), as flytekit's `current_context().secrets`. */
  secrets: TaskSecrets;
}

export type TaskFn<I extends SchemaMap, O extends OutputDecl> = (
  inputs: ValuesOf<I>,
  ctx: TaskContext,
) => ReturnValues<O> | Promise<ReturnValues<O>>;

export interface TaskOptions<I extends SchemaMap, O extends OutputDecl> extends TaskCommonOptions<keyof I & string> {
  inputs?: I;
  /** One schema (the output is named `o0`, as flytekit names a single return) or named schemas. */
  outputs?: O;
}

export interface TaskDef<I extends SchemaMap, O extends OutputDecl> extends TaskEntity {
  (inputs: CallInputs<I>, options?: CallOptions): CallResult<O>;
  readonly fn: TaskFn<I, O>;
  /** True when outputs were declared as one schema: the function returns the value itself. */
  readonly singleOutput: boolean;
  /** "dynamic" tasks return a workflow built at run time. */
  readonly mode: "function" | "dynamic";
}

/** Shared by `task` and `dynamic`: validates options and builds the callable entity. */
export function functionTask<I extends SchemaMap, O extends OutputDecl>(
  options: TaskOptions<I, O>,
  fn: TaskFn<I, O>,
  mode: "function" | "dynamic",
  definedIn: string,
): TaskDef<I, O> {
  if (typeof fn !== "function") throw new DefinitionError(`task${options.name ? ` "${options.name}"` : ""}: the second argument must be the task function`);
  const label = options.name ? `task "${options.name}"` : `task defined in ${definedIn}`;
  checkOptionKeys(options, [...TASK_COMMON_KEYS, "inputs", "outputs"], label);
  const inputs = (options.inputs ?? {}) as SchemaMap;
  const outputs = normalizeOutputs(options.outputs);
  checkInputNames(inputs, outputs, label);
  const single = isSchema(options.outputs);
  const call = (values: Record<string, unknown>, callOptions?: CallOptions) =>
    addCall({ label, target: { kind: "task", task: def }, inputs, outputs, single }, values, callOptions);
  const def = Object.assign(call, {
    entityKind: "task" as const,
    taskType: TYPESCRIPT_TASK_TYPE,
    inputs,
    outputs,
    explicitName: options.name,
    definedIn,
    options,
    needsModule: true,
    fn,
    singleOutput: single,
    mode,
    template(ctx: TemplateContext): core.TaskTemplate {
      const where = `task "${ctx.id.name}"`;
      const sc = securityContext(options);
      return create(core.TaskTemplateSchema, {
        id: ctx.id,
        type: TYPESCRIPT_TASK_TYPE,
        metadata: taskMetadata(ctx.id.name, options, inputs),
        interface: typedInterface(inputs, outputs),
        target: { case: "container", value: container(options, ctx.defaultImage, runtimeArgs(ctx.modulePath, ctx.exportName, ctx.codeBundle), where) },
        ...(sc ? { securityContext: sc } : {}),
      });
    },
  }) as unknown as TaskDef<I, O>;
  return def;
}

export function task<I extends SchemaMap = {}, O extends OutputDecl = undefined>(options: TaskOptions<I, O>, fn: TaskFn<I, O>): TaskDef<I, O> {
  return functionTask(options, fn, "function", callerFile());
}
