// `map(task, options)`: runs a task once per element of its list inputs, as a Flyte array node. Inputs named in
// `bound` are passed whole to every run (flytekit's partial); every other input is a list, and so is every output.
import { addCall } from "./call.ts";
import type { Bindable, CallOptions, NodeHandle, OutputDecl } from "./entity.ts";
import { DefinitionError } from "./errors.ts";
import { checkOptionKeys } from "./options.ts";
import type { Ref } from "./promise.ts";
import type { TaskDef } from "./task.ts";
import type { TaskEntity } from "./task-entity.ts";
import { listSchema } from "./types/list.ts";
import type { Infer, Schema, SchemaMap } from "./types/schema.ts";

export interface MapOptions<B extends string> {
  /** Most runs at once; unset lets the platform decide. */
  concurrency?: number;
  /** Share of runs that must succeed (0..1]; default 1. */
  minSuccessRatio?: number;
  /** Inputs given whole to each run instead of element by element. */
  bound?: readonly B[];
}

type MapInputs<I extends SchemaMap, B extends keyof I> = {
  [K in keyof I]: K extends B ? Bindable<Infer<I[K]>> : Bindable<Infer<I[K]>[]>;
};

type MapResult<O extends OutputDecl> = O extends Schema<infer T>
  ? Ref<T[]>
  : O extends SchemaMap
    ? keyof O extends never
      ? NodeHandle
      : { readonly [K in keyof O]: Ref<Infer<O[K]>[]> }
    : NodeHandle;

export function map<I extends SchemaMap, O extends OutputDecl, B extends keyof I & string = never>(
  task: TaskDef<I, O>,
  options: MapOptions<B> = {},
): (inputs: MapInputs<I, B>, callOptions?: CallOptions) => MapResult<O> {
  const t = task as TaskEntity & TaskDef<I, O>;
  if (typeof task !== "function" || t.entityKind !== "task") throw new DefinitionError("map(...) takes a task");
  if ((t as { mode?: string }).mode === "dynamic") throw new DefinitionError("map(...) cannot map a dynamic task");
  checkOptionKeys(options, ["concurrency", "minSuccessRatio", "bound"], "map");
  const bound = [...(options.bound ?? [])] as string[];
  for (const b of bound) if (!(b in t.inputs)) throw new DefinitionError(`map: bound input "${b}" is not an input of the task`);
  const r = options.minSuccessRatio;
  if (r !== undefined && !(r > 0 && r <= 1)) throw new DefinitionError(`map: minSuccessRatio must be in (0, 1], got ${r}`);
  const c = options.concurrency;
  if (c !== undefined && !(Number.isInteger(c) && c > 0)) throw new DefinitionError(`map: concurrency must be a positive integer, got ${c}`);
  const lifted = (m: SchemaMap, keep: string[]): SchemaMap =>
    Object.fromEntries(Object.entries(m).map(([k, s]) => [k, keep.includes(k) ? s : listSchema(s)]));
  const inputs = lifted(t.inputs, bound);
  const outputs = lifted(t.outputs, []);
  return (values, callOptions) =>
    addCall(
      {
        label: `map over task ${t.explicitName ?? ""}`.trim(),
        target: { kind: "array", task: t, bound, ...(c !== undefined ? { parallelism: c } : {}), minSuccessRatio: r ?? 1 },
        inputs,
        outputs,
        single: t.singleOutput,
      },
      values as Record<string, unknown>,
      callOptions,
    ) as MapResult<O>;
}
