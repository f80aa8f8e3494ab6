// Adding a node for a call inside a workflow: check the inputs against the callee's declaration, bind them, and
// hand back typed promises for its outputs.
import { currentBuilder } from "./builder.ts";
import type { CallOptions, NodeHandle } from "./entity.ts";
import { DefinitionError } from "./errors.ts";
import { CALL_KEYS, checkOptionKeys } from "./options.ts";
import { bind, bindingUpstream, type BindingSpec, type GraphNode, type NodeTarget } from "./graph.ts";
import { Ref } from "./promise.ts";
import type { SchemaMap } from "./types/schema.ts";

export interface CallSpec {
  /** How the callee is named in messages, e.g. `task "train"`. */
  label: string;
  target: NodeTarget;
  inputs: SchemaMap;
  outputs: SchemaMap;
  /** Inputs that may be left out (defaults, optionals). */
  optionalInputs?: ReadonlySet<string>;
  /** Whether outputs come back as a single ref (declared as one schema). */
  single: boolean;
}

export function bindInputs(spec: Pick<CallSpec, "label" | "inputs" | "optionalInputs">, values: Record<string, unknown>): Record<string, BindingSpec> {
  if (typeof values !== "object" || values === null || Array.isArray(values) || values instanceof Ref) {
    throw new DefinitionError(`${spec.label} takes its inputs as an object, e.g. { x: 1 }`);
  }
  for (const k of Object.keys(values)) {
    if (!(k in spec.inputs)) {
      const known = Object.keys(spec.inputs);
      throw new DefinitionError(`${spec.label} has no input "${k}" (inputs: ${known.length ? known.join(", ") : "none"})`);
    }
  }
  const out: Record<string, BindingSpec> = {};
  for (const [k, schema] of Object.entries(spec.inputs)) {
    const v = values[k];
    if (v === undefined) {
      if (spec.optionalInputs?.has(k) || schema.check(null, k) === undefined) continue;
      throw new DefinitionError(`${spec.label}: missing input "${k}"`);
    }
    out[k] = bind(v, schema, `${spec.label} input ${k}`);
  }
  return out;
}

export function upstreamOf(inputs: Record<string, BindingSpec>, after: CallOptions["after"]): Set<string> {
  const up = new Set<string>();
  for (const b of Object.values(inputs)) bindingUpstream(b, up);
  for (const a of after ?? []) {
    if (a instanceof Ref) up.add(a.nodeId);
    else if ("nodeId" in a && typeof a.nodeId === "string") up.add(a.nodeId);
    else for (const r of Object.values(a)) if (r instanceof Ref) up.add(r.nodeId);
  }
  return up;
}

/** Promises for a node's outputs, in the shape the callee declared them. */
export function outputRefs(nodeId: string, outputs: SchemaMap, single: boolean): unknown {
  const entries = Object.entries(outputs);
  if (single) {
    const [name, schema] = entries[0]!;
    return new Ref(nodeId, name, schema);
  }
  if (entries.length === 0) return { nodeId } satisfies NodeHandle;
  return Object.freeze(Object.fromEntries(entries.map(([name, schema]) => [name, new Ref(nodeId, name, schema)])));
}

export function addCall(spec: CallSpec, values: Record<string, unknown>, options: CallOptions = {}): unknown {
  const builder = currentBuilder(spec.label);
  checkOptionKeys(options, CALL_KEYS, `${spec.label} call`);
  const inputs = bindInputs(spec, values);
  const { after, ...overrides } = options;
  const node: GraphNode = {
    id: builder.nextId(),
    target: spec.target,
    inputs,
    upstream: upstreamOf(inputs, after),
    overrides,
    outputs: spec.outputs,
  };
  builder.add(node);
  return outputRefs(node.id, spec.outputs, spec.single);
}
