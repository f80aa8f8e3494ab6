// An execution's graph as plain data: the workflow's nodes and the edges between them, read from the compiled
// workflow (its connections, or each node's upstream ids and input bindings when connections are absent).
import type { core } from "@aloft/idl";

export interface GraphNode {
  id: string;
  label: string;
  /** task, subworkflow, launchplan, branch, gate, array, start, end */
  kind: string;
}

export interface GraphEdge {
  source: string;
  target: string;
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

function nodeKind(n: core.Node): string {
  switch (n.target.case) {
    case "taskNode":
      return "task";
    case "workflowNode":
      return n.target.value.reference.case === "launchplanRef" ? "launchplan" : "subworkflow";
    case "branchNode":
      return "branch";
    case "gateNode":
      return "gate";
    case "arrayNode":
      return "map";
    default:
      return n.id === "start-node" ? "start" : n.id === "end-node" ? "end" : "node";
  }
}

function nodeLabel(n: core.Node): string {
  if (n.target.case === "taskNode" && n.target.value.reference.case === "referenceId") {
    const name = n.target.value.reference.value.name;
    return `${n.id}: ${name.split(".").pop()}`;
  }
  return n.metadata?.name ? `${n.id}: ${n.metadata.name.split(".").pop()}` : n.id;
}

function bindingNodes(b: core.BindingData | undefined, out: Set<string>): void {
  if (!b) return;
  switch (b.value.case) {
    case "promise":
      out.add(b.value.value.nodeId);
      break;
    case "collection":
      b.value.value.bindings.forEach((x) => bindingNodes(x, out));
      break;
    case "map":
      Object.values(b.value.value.bindings).forEach((x) => bindingNodes(x, out));
      break;
  }
}

export function workflowGraph(compiled: core.CompiledWorkflow): GraphModel {
  const template = compiled.template;
  const nodes: GraphNode[] = [{ id: "start-node", label: "start", kind: "start" }];
  // Compiled templates may list start-node and end-node themselves; they are drawn once.
  for (const n of template?.nodes ?? []) if (n.id !== "start-node" && n.id !== "end-node") nodes.push({ id: n.id, label: nodeLabel(n), kind: nodeKind(n) });
  nodes.push({ id: "end-node", label: "end", kind: "end" });
  const ids = new Set(nodes.map((n) => n.id));
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const add = (source: string, target: string) => {
    const key = `${source}\u0000${target}`;
    if (source === target || seen.has(key) || !ids.has(source) || !ids.has(target)) return;
    seen.add(key);
    edges.push({ source, target });
  };
  const upstream = compiled.connections?.upstream ?? {};
  if (Object.keys(upstream).length > 0) {
    for (const [target, set] of Object.entries(upstream)) for (const source of set.ids) add(source, target);
  } else {
    for (const n of template?.nodes ?? []) {
      const from = new Set<string>(n.upstreamNodeIds);
      n.inputs.forEach((b) => bindingNodes(b.binding, from));
      for (const s of from) add(s, n.id);
    }
    const outs = new Set<string>();
    template?.outputs.forEach((b) => bindingNodes(b.binding, outs));
    for (const s of outs) add(s, "end-node");
  }
  // Nodes with no incoming edge hang off start, nodes with no outgoing edge lead to end, as Flyte draws them.
  const hasIn = new Set(edges.map((e) => e.target));
  const hasOut = new Set(edges.map((e) => e.source));
  for (const n of nodes) {
    if (n.kind === "start" || n.kind === "end") continue;
    if (!hasIn.has(n.id)) add("start-node", n.id);
    if (!hasOut.has(n.id)) add(n.id, "end-node");
  }
  return { nodes, edges };
}
