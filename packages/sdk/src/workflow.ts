// `workflow(options, fn)`: a graph of tasks, described by a synchronous function that receives promises for the
// workflow inputs and returns promises for its outputs. The function runs once, when the graph is first needed.
import { GraphBuilder, withBuilder } from "./builder.ts";
import { addCall } from "./call.ts";
import { callerFile } from "./defined-in.ts";
import type { CallInputs, CallOptions, CallResult, Entity, OutputDecl, WorkflowReturn } from "./entity.ts";
import { isSchema, normalizeOutputs } from "./entity.ts";
import { DefinitionError } from "./errors.ts";
import { checkOptionKeys } from "./options.ts";
import { bind, type BindingSpec, type Graph, type GraphNode } from "./graph.ts";
import { Ref, START_NODE } from "./promise.ts";
import { checkInputNames, isTaskEntity, type TaskEntity } from "./task-entity.ts";
import type { Infer, SchemaMap, ValuesOf } from "./types/schema.ts";

export type WorkflowInputs<I extends SchemaMap> = { readonly [K in keyof I]: Ref<Infer<I[K]>> };

export interface WorkflowOptions<I extends SchemaMap, O extends OutputDecl> {
  /** Flyte name; defaults to `<module>.<exported name>`. */
  name?: string;
  description?: string;
  inputs?: I;
  outputs?: O;
  /** Default values of inputs, used when a run leaves them out. */
  defaults?: Partial<ValuesOf<I>>;
  /**
   * `immediate` (Flyte's default) fails the workflow on the first failed node; `afterRunnable` lets nodes that do
   * not depend on the failure finish first.
   */
  failurePolicy?: "immediate" | "afterRunnable";
  /** Runs when the workflow fails, with the workflow's inputs (its inputs must be a subset of them). */
  onFailure?: TaskEntity | WorkflowDef<any, any>;
  /** Default for the workflow's nodes. */
  interruptible?: boolean;
}

export interface WorkflowDef<I extends SchemaMap, O extends OutputDecl> extends Entity {
  (inputs: CallInputs<I>, options?: CallOptions): CallResult<O>;
  readonly entityKind: "workflow";
  readonly options: WorkflowOptions<I, O>;
  readonly fn: (inputs: WorkflowInputs<I>) => WorkflowReturn<O>;
  readonly singleOutput: boolean;
  /** The recorded graph; built on first use. */
  graph(): Graph;
}

export function isWorkflow(x: unknown): x is WorkflowDef<SchemaMap, OutputDecl> {
  return typeof x === "function" && (x as { entityKind?: unknown }).entityKind === "workflow";
}

/** Binds what a graph function returned to the declared outputs. */
export function bindOutputs(label: string, outputs: SchemaMap, single: boolean, result: unknown): Record<string, BindingSpec> {
  const names = Object.keys(outputs);
  if (single) return { o0: bind(result, outputs.o0!, `${label} output`) };
  if (names.length === 0) {
    if (result !== undefined && !(typeof result === "object" && result !== null && "nodeId" in result)) {
      throw new DefinitionError(`${label} declares no outputs but its function returned a value`);
    }
    return {};
  }
  if (typeof result !== "object" || result === null || result instanceof Ref) {
    throw new DefinitionError(`${label} must return an object with its outputs (${names.join(", ")})`);
  }
  const r = result as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!(k in outputs)) throw new DefinitionError(`${label} returned "${k}", which is not a declared output (${names.join(", ")})`);
  const out: Record<string, BindingSpec> = {};
  for (const [k, schema] of Object.entries(outputs)) {
    if (r[k] === undefined) throw new DefinitionError(`${label} did not return output "${k}"`);
    out[k] = bind(r[k], schema, `${label} output ${k}`);
  }
  return out;
}

function failureNode(label: string, handler: TaskEntity | WorkflowDef<any, any>, inputs: SchemaMap): GraphNode {
  const bindings: Record<string, BindingSpec> = {};
  for (const [k, s] of Object.entries(handler.inputs)) {
    if (!(k in inputs)) {
      if (s.check(null, k) === undefined) continue;
      throw new DefinitionError(`${label}: the onFailure handler needs input "${k}", which the workflow does not have`);
    }
    bindings[k] = { kind: "promise", nodeId: START_NODE, varName: k };
  }
  return {
    id: "fn0",
    target: isTaskEntity(handler) ? { kind: "task", task: handler } : { kind: "workflow", workflow: handler },
    inputs: bindings,
    upstream: new Set(),
    overrides: {},
    outputs: handler.outputs,
  };
}

export function workflow<I extends SchemaMap = {}, O extends OutputDecl = undefined>(
  options: WorkflowOptions<I, O>,
  fn: (inputs: WorkflowInputs<I>) => WorkflowReturn<O>,
): WorkflowDef<I, O> {
  const definedIn = callerFile();
  const inputs = (options.inputs ?? {}) as SchemaMap;
  const outputs = normalizeOutputs(options.outputs);
  const label = options.name ? `workflow "${options.name}"` : `workflow defined in ${definedIn}`;
  checkOptionKeys(options, ["name", "description", "inputs", "outputs", "defaults", "failurePolicy", "onFailure", "interruptible"], label);
  if (options.failurePolicy !== undefined && !["immediate", "afterRunnable"].includes(options.failurePolicy)) {
    throw new DefinitionError(`${label}: failurePolicy must be "immediate" or "afterRunnable", got ${JSON.stringify(options.failurePolicy)}`);
  }
  checkInputNames(inputs, outputs, label);
  const single = isSchema(options.outputs);
  for (const [k, v] of Object.entries(options.defaults ?? {})) {
    const s = inputs[k];
    if (!s) throw new DefinitionError(`${label}: default given for "${k}", which is not an input`);
    const why = s.check(v, k);
    if (why !== undefined) throw new DefinitionError(`${label}: default for input "${k}": ${why}`);
  }
  let graph: Graph | undefined;
  let building = false;
  const call = (values: Record<string, unknown>, callOptions?: CallOptions) =>
    addCall(
      { label, target: { kind: "workflow", workflow: def }, inputs, outputs, single, optionalInputs: new Set(Object.keys(options.defaults ?? {})) },
      values,
      callOptions,
    );
  const def = Object.assign(call, {
    entityKind: "workflow" as const,
    inputs,
    outputs,
    explicitName: options.name,
    definedIn,
    options,
    fn,
    singleOutput: single,
    graph(): Graph {
      if (graph) return graph;
      if (building) throw new DefinitionError(`${label} calls itself; Flyte workflows cannot be recursive (use a dynamic task)`);
      building = true;
      try {
        const builder = new GraphBuilder("", label);
        const refs = Object.fromEntries(Object.entries(inputs).map(([k, s]) => [k, new Ref(START_NODE, k, s)]));
        const result = withBuilder(builder, () => fn(refs as WorkflowInputs<I>));
        const built: Graph = { nodes: builder.nodes, outputs: bindOutputs(label, outputs, single, result) };
        if (options.onFailure) built.failureNode = failureNode(label, options.onFailure, inputs);
        graph = built;
        return built;
      } finally {
        building = false;
      }
    },
  }) as unknown as WorkflowDef<I, O>;
  return def;
}
