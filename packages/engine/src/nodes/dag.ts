// Dependency bookkeeping for a workflow scope: which nodes exist, what each waits for, and how to
// resolve a node's bindings from the outputs of the nodes before it.
import { core } from "@aloft/idl";
import { InvalidArgumentError } from "../errors.ts";
import { resolveBindings } from "../runtime/bindings.ts";
import type { LiveAction } from "../runtime/live.ts";
import type { ActionContext } from "./handler.ts";

export const START_NODE = "start-node";
export const END_NODE = "end-node";

export interface Dag {
  nodes: Map<string, core.Node>;
  upstream: Map<string, string[]>;
  downstream: Map<string, string[]>;
}

/** Node ids a binding reads from (promises, at any depth). */
export function promiseSources(data: core.BindingData | undefined, into: Set<string>): Set<string> {
  if (!data) return into;
  const v = data.value;
  if (v.case === "promise") into.add(v.value.nodeId);
  else if (v.case === "collection") for (const d of v.value.bindings) promiseSources(d, into);
  else if (v.case === "map") for (const d of Object.values(v.value.bindings)) promiseSources(d, into);
  return into;
}

function bindingSources(bindings: readonly core.Binding[]): Set<string> {
  const s = new Set<string>();
  for (const b of bindings) promiseSources(b.binding, s);
  return s;
}

/**
 * A node waits for the union of its compiled connections, its declared upstream ids and the nodes
 * its bindings read: the compiler derives connections from exactly these, and dynamic workflows
 * (which arrive without connections) carry only the latter two.
 */
export function buildDag(template: core.WorkflowTemplate, connections: core.ConnectionSet | undefined, where: string): Dag {
  const nodes = new Map<string, core.Node>();
  for (const n of template.nodes) {
    if (n.id === START_NODE || n.id === END_NODE) continue;
    if (!n.id) throw new InvalidArgumentError(`${where}.nodes`, "a node has an empty id");
    if (nodes.has(n.id)) throw new InvalidArgumentError(`${where}.nodes`, `node id "${n.id}" appears twice`);
    nodes.set(n.id, n);
  }
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>();
  for (const [id, n] of nodes) {
    const ups = bindingSources(n.inputs);
    for (const u of n.upstreamNodeIds) ups.add(u);
    for (const u of connections?.upstream[id]?.ids ?? []) ups.add(u);
    ups.delete(START_NODE);
    for (const u of ups) {
      if (!nodes.has(u)) throw new InvalidArgumentError(`${where}.nodes.${id}`, `depends on unknown node "${u}"`);
      let d = downstream.get(u);
      if (!d) downstream.set(u, (d = []));
      d.push(id);
    }
    upstream.set(id, [...ups]);
  }
  return { nodes, upstream, downstream };
}

/** Resolves bindings against a workflow action: START_NODE is its inputs, other ids its children. */
export async function resolveInWorkflow(
  wfCtx: ActionContext,
  bindings: readonly core.Binding[],
  where: string,
): Promise<core.LiteralMap> {
  const wf = wfCtx.action;
  const loaded = new Map<string, core.LiteralMap>();
  for (const id of bindingSources(bindings)) {
    if (id === START_NODE) loaded.set(id, await wfCtx.inputs());
    else {
      const child: LiveAction | undefined = wf.children.get(id);
      if (child?.rec.phase === "SUCCEEDED") loaded.set(id, await wfCtx.outputsOf(child));
    }
  }
  return resolveBindings(bindings, (id) => loaded.get(id), where);
}
