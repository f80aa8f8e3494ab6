// The graph a workflow function records while it runs: nodes with their bindings, before names and versions are
// known. Serialization turns it into FlyteIDL; keeping it separate lets the same graph serve a WorkflowTemplate, a
// dynamic job spec, and the readable errors given while the workflow is still being written.
import type { core } from "@aloft/idl";
import type { Condition } from "./promise.ts";
import { Ref, START_NODE } from "./promise.ts";
import { DefinitionError, TypeMismatchError } from "./errors.ts";
import type { NodeOverrides } from "./entity.ts";
import type { Schema, SchemaMap } from "./types/schema.ts";
import { FlyteFile } from "./types/file.ts";
import { FlyteDirectory } from "./types/directory.ts";
import { StructuredDataset } from "./types/structured-dataset.ts";
import type { TaskEntity } from "./task-entity.ts";
import type { WorkflowDef } from "./workflow.ts";
import type { LaunchPlanDef } from "./launch-plan.ts";

export type BindingSpec =
  | { kind: "promise"; nodeId: string; varName: string; attrPath?: ReadonlyArray<string | number> }
  | { kind: "value"; value: unknown; schema: Schema<unknown>; path: string }
  | { kind: "literal"; literal: core.Literal }
  | { kind: "collection"; items: BindingSpec[] };

export type GateSpec =
  | { kind: "sleep"; durationMs: number }
  | { kind: "approve"; signalId: string }
  | { kind: "signal"; signalId: string; schema: Schema<unknown>; outputName: string };

export interface BranchCase {
  condition: Condition;
  node: GraphNode;
}

export type NodeTarget =
  | { kind: "task"; task: TaskEntity }
  | { kind: "workflow"; workflow: WorkflowDef<any, any> }
  | { kind: "launchPlan"; launchPlan: LaunchPlanDef<any, any> }
  | { kind: "branch"; cases: BranchCase[]; elseNode?: GraphNode; error?: string }
  | { kind: "array"; task: TaskEntity; parallelism?: number; minSuccessRatio?: number; minSuccesses?: number; bound: string[] }
  | { kind: "gate"; gate: GateSpec };

export interface GraphNode {
  id: string;
  target: NodeTarget;
  inputs: Record<string, BindingSpec>;
  upstream: Set<string>;
  overrides: NodeOverrides;
  /** Output schemas of the node, as refs to it see them. */
  outputs: SchemaMap;
}

export interface Graph {
  nodes: GraphNode[];
  outputs: Record<string, BindingSpec>;
  failureNode?: GraphNode;
}

/** Node ids a binding reads from (START_NODE excluded: it is not a node to wait for). */
export function bindingUpstream(b: BindingSpec, into: Set<string>): void {
  if (b.kind === "promise" && b.nodeId !== START_NODE) into.add(b.nodeId);
  if (b.kind === "collection") for (const i of b.items) bindingUpstream(i, into);
}

/**
 * Binds a JS value (a promise, a constant, or a list mixing both) to an input of type `schema`. Offloaded values
 * (files, datasets) can only be constants when they already have a URI.
 */
export function bind(value: unknown, schema: Schema<unknown>, path: string): BindingSpec {
  if (value instanceof Ref) return { kind: "promise", nodeId: value.nodeId, varName: value.varName, ...(value.attrPath.length ? { attrPath: value.attrPath } : {}) };
  const lt = schema.literalType();
  if (Array.isArray(value) && lt.type.case === "collectionType" && value.some(containsRef)) {
    const item = itemSchema(schema);
    return { kind: "collection", items: value.map((v, i) => bind(v, item, `${path}[${i}]`)) };
  }
  return constant(value, schema, path);
}

function containsRef(v: unknown): boolean {
  return v instanceof Ref || (Array.isArray(v) && v.some(containsRef));
}

function itemSchema(list: Schema<unknown>): Schema<unknown> {
  const item = (list as { item?: Schema<unknown> }).item;
  if (!item) throw new DefinitionError(`cannot bind a list of promises to ${list.name}`);
  return item;
}

/** A constant in a workflow: checked now, converted to a literal when the workflow is serialized. */
function constant(value: unknown, schema: Schema<unknown>, path: string): BindingSpec {
  if (value instanceof FlyteFile || value instanceof FlyteDirectory || value instanceof StructuredDataset) {
    if (value.uri === undefined) {
      throw new TypeMismatchError(path, `a local ${value.constructor.name} cannot be a workflow constant; pass it in as a workflow input`);
    }
  }
  const why = schema.check(value, path);
  if (why !== undefined) throw new TypeMismatchError(path, why);
  return { kind: "value", value, schema, path };
}
