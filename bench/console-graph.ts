// Layout time of the console's execution graph (packages/console/src/graph/layout.ts, the code its Web Worker
// runs) for 10,000-node graphs: a DAG of 100 layers of 100 nodes, and a fan-out of 10,000 (a map's children).
// Prints figures; asserts nothing. Run: npx tsx bench/console-graph.ts
import ELK from "elkjs/lib/elk.bundled.js";
import { layoutGraph, FAST_LAYOUT_THRESHOLD } from "../packages/console/src/graph/layout.ts";
import type { GraphModel } from "../packages/console/src/graph/graph-model.ts";

function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function layeredDag(layers: number, width: number): GraphModel {
  const rand = seeded(7);
  const nodes: GraphModel["nodes"] = [{ id: "start-node", label: "start", kind: "start" }];
  const edges: GraphModel["edges"] = [];
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) {
      const id = `n${l}-${i}`;
      nodes.push({ id, label: id, kind: "task" });
      if (l === 0) edges.push({ source: "start-node", target: id });
      else {
        edges.push({ source: `n${l - 1}-${i}`, target: id });
        if (rand() < 0.5) edges.push({ source: `n${l - 1}-${Math.floor(rand() * width)}`, target: id });
      }
      if (l === layers - 1) edges.push({ source: id, target: "end-node" });
    }
  }
  nodes.push({ id: "end-node", label: "end", kind: "end" });
  return { nodes, edges };
}

function fanOut(n: number): GraphModel {
  const nodes: GraphModel["nodes"] = [{ id: "start-node", label: "start", kind: "start" }];
  const edges: GraphModel["edges"] = [];
  for (let i = 0; i < n; i++) {
    nodes.push({ id: `m${i}`, label: `m${i}`, kind: "task" });
    edges.push({ source: "start-node", target: `m${i}` }, { source: `m${i}`, target: "end-node" });
  }
  nodes.push({ id: "end-node", label: "end", kind: "end" });
  return { nodes, edges };
}

const cases: [string, GraphModel][] = [
  ["DAG 100 nodes (10x10)", layeredDag(10, 10)],
  ["DAG 300 nodes (10x30)", layeredDag(10, 30)],
  ["DAG 1,000 nodes (20x50)", layeredDag(20, 50)],
  ["DAG 10,000 nodes (100x100)", layeredDag(100, 100)],
  ["fan-out 10,000 nodes", fanOut(10_000)],
];

const elk = new ELK();
console.log(`layout: elkjs layered, fast mode above ${FAST_LAYOUT_THRESHOLD} nodes; node ${process.version}`);
for (const [name, graph] of cases) {
  const times: number[] = [];
  let mode = "";
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    const out = await layoutGraph(elk, graph);
    times.push(performance.now() - t0);
    mode = out.mode;
  }
  times.sort((a, b) => a - b);
  console.log(`${name.padEnd(28)} nodes ${String(graph.nodes.length).padStart(6)} edges ${String(graph.edges.length).padStart(6)}  mode ${mode.padEnd(7)}  best ${times[0]!.toFixed(0)} ms  median ${times[1]!.toFixed(0)} ms`);
}
