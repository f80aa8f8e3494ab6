// The layout for big graphs (Argo's "fast" mode): longest-path layering and one barycentre sweep, linear in nodes
// plus edges. ELK's layered algorithm gives better drawings but takes seconds on a thousand nodes and overflows
// its stack on ten thousand, so graphs past the threshold in layout.ts are laid out here.
import type { GraphModel } from "./graph-model.ts";

export interface FastLayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  layerGap: number;
  nodeGap: number;
}

export function fastLayout(graph: GraphModel, o: FastLayoutOptions): { positions: Record<string, { x: number; y: number }>; width: number; height: number } {
  const index = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const n = graph.nodes.length;
  const parents: number[][] = Array.from({ length: n }, () => []);
  const children: number[][] = Array.from({ length: n }, () => []);
  const indegree = new Int32Array(n);
  for (const e of graph.edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s === undefined || t === undefined) continue;
    parents[t]!.push(s);
    children[s]!.push(t);
    indegree[t]!++;
  }
  // Kahn's order gives each node its longest distance from a source; nodes on a cycle (never in a valid
  // workflow) keep layer 0 rather than failing the page.
  const layer = new Int32Array(n);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) queue.push(i);
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (const c of children[v]!) {
      layer[c] = Math.max(layer[c]!, layer[v]! + 1);
      if (--indegree[c]! === 0) queue.push(c);
    }
  }
  const layers: number[][] = [];
  for (let i = 0; i < n; i++) (layers[layer[i]!] ??= []).push(i);
  // One downward sweep: a node sits near the mean position of its parents, which keeps chains straight.
  const rank = new Float64Array(n);
  for (const nodes of layers) {
    if (!nodes) continue;
    const key = new Map<number, number>();
    for (const v of nodes) {
      const ps = parents[v]!;
      key.set(v, ps.length === 0 ? v : ps.reduce((sum, p) => sum + rank[p]!, 0) / ps.length);
    }
    nodes.sort((a, b) => key.get(a)! - key.get(b)! || a - b);
    nodes.forEach((v, i) => (rank[v] = i));
  }
  const positions: Record<string, { x: number; y: number }> = {};
  let height = 0;
  layers.forEach((nodes, l) => {
    nodes?.forEach((v, i) => {
      positions[graph.nodes[v]!.id] = { x: l * (o.nodeWidth + o.layerGap), y: i * (o.nodeHeight + o.nodeGap) };
    });
    height = Math.max(height, (nodes?.length ?? 0) * (o.nodeHeight + o.nodeGap));
  });
  return { positions, width: layers.length * (o.nodeWidth + o.layerGap), height };
}
