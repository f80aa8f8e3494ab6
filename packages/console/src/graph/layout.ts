// Lays a graph out left to right with elkjs's layered algorithm (Sugiyama). Pure apart from the ELK instance
// passed in, so the same code runs in the console's Web Worker and in bench/console-graph.ts under Node.
import type { ELK, ElkNode } from "elkjs/lib/elk-api.js";
import type { GraphModel } from "./graph-model.ts";
import { fastLayout } from "./fast-layout.ts";

export interface Positioned {
  /** Top-left corner of each node, by id. */
  positions: Record<string, { x: number; y: number }>;
  width: number;
  height: number;
  /** Which mode laid it out: "layered" (ELK) or "fast" (fast-layout.ts, for big graphs). */
  mode: "layered" | "fast";
}

export const NODE_WIDTH = 170;
export const NODE_HEIGHT = 36;

/** Past this many nodes the linear-time layout of fast-layout.ts is used (ELK takes seconds there; see bench/console-graph.ts). */
export const FAST_LAYOUT_THRESHOLD = 300;

export async function layoutGraph(elk: ELK, graph: GraphModel): Promise<Positioned> {
  if (graph.nodes.length > FAST_LAYOUT_THRESHOLD) {
    return { ...fastLayout(graph, { nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT, layerGap: 40, nodeGap: 18 }), mode: "fast" };
  }
  const root: ElkNode = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.spacing.nodeNode": "18",
      "elk.layered.spacing.nodeNodeBetweenLayers": "40",
      "elk.edgeRouting": "POLYLINE",
    },
    children: graph.nodes.map((n) => ({ id: n.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: graph.edges.map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
  };
  const out = await elk.layout(root);
  const positions: Positioned["positions"] = {};
  for (const c of out.children ?? []) positions[c.id] = { x: c.x ?? 0, y: c.y ?? 0 };
  return { positions, width: out.width ?? 0, height: out.height ?? 0, mode: "layered" };
}
