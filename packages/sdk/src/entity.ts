// What every task, workflow and launch plan shares: declared inputs and outputs, a name, and where it was
// defined (so the serializer can find its module and exported name for the task runtime).
import type { Ref } from "./promise.ts";
import type { Infer, Schema, SchemaMap, ValuesOf } from "./types/schema.ts";

/** Outputs as declared: one schema (flytekit's single return, named `o0`), a record of named schemas, or none. */
export type OutputDecl = Schema<any> | SchemaMap | undefined;

export type NormalizedOutputs<O extends OutputDecl> = O extends Schema<any> ? { o0: O } : O extends SchemaMap ? O : {};

export function normalizeOutputs(o: OutputDecl): SchemaMap {
  if (o === undefined) return {};
  return isSchema(o) ? { o0: o } : (o as SchemaMap);
}

export function isSchema(x: unknown): x is Schema<unknown> {
  return typeof x === "object" && x !== null && typeof (x as Schema<unknown>).literalType === "function" && typeof (x as Schema<unknown>).toLiteral === "function";
}

/** Handle on a node that has no outputs, for ordering with `after`. */
export interface NodeHandle {
  readonly nodeId: string;
}

/** What a call inside a workflow returns. */
export type CallResult<O extends OutputDecl> = O extends Schema<infer T>
  ? Ref<T>
  : O extends SchemaMap
    ? keyof O extends never
      ? NodeHandle
      : { readonly [K in keyof O]: Ref<Infer<O[K]>> }
    : NodeHandle;

/** A value or promise for one input; lists may mix constants and promises, as Flyte collection bindings do. */
export type Bindable<T> = T | Ref<T> | (T extends readonly (infer E)[] ? readonly Bindable<E>[] : never);

/** Inputs of a call inside a workflow. Optional (nullable) inputs may be left out. */
export type CallInputs<I extends SchemaMap> = {
  [K in keyof I as null extends Infer<I[K]> ? never : K]: Bindable<Infer<I[K]>>;
} & {
  [K in keyof I as null extends Infer<I[K]> ? K : never]?: Bindable<Infer<I[K]>>;
};

/** The value a function returns for its declared outputs. */
export type ReturnValues<O extends OutputDecl> = O extends Schema<infer T> ? T : O extends SchemaMap ? ValuesOf<O> : void;

/** What a workflow function returns: the same shapes, but promises are allowed. */
export type WorkflowReturn<O extends OutputDecl> = O extends Schema<infer T>
  ? Bindable<T>
  : O extends SchemaMap
    ? { [K in keyof O]: Bindable<Infer<O[K]>> }
    : void;

/** Kubernetes-style quantities: cpu "500m" or 2, memory "1Gi", gpu 1. */
export interface ResourceSpec {
  cpu?: string | number;
  memory?: string;
  gpu?: string | number;
  ephemeralStorage?: string;
}

export interface Resources {
  requests?: ResourceSpec;
  limits?: ResourceSpec;
}

/** Per-call overrides, Flyte's `with_overrides`. */
export interface NodeOverrides {
  /** Node name shown in the UI. */
  name?: string;
  retries?: number;
  /** Milliseconds. */
  timeout?: number;
  interruptible?: boolean;
  resources?: Resources;
  image?: string;
  cache?: boolean;
}

export interface CallOptions extends NodeOverrides {
  /** Nodes that must finish first although no data flows from them. */
  after?: ReadonlyArray<NodeHandle | Ref<unknown> | Record<string, Ref<unknown>>>;
}

export type EntityKind = "task" | "workflow" | "launchPlan";

export interface Entity {
  readonly entityKind: EntityKind;
  readonly inputs: SchemaMap;
  readonly outputs: SchemaMap;
  /** Explicit name, when the author gave one. */
  readonly explicitName: string | undefined;
  /** Absolute path of the file that defined it. */
  readonly definedIn: string;
}
