// Draws a laid-out graph with @xyflow/react: nodes coloured by phase, the selected node highlighted, only what
// is on screen rendered (big graphs have thousands of nodes). Loaded on demand with the execution page.
import { useMemo } from "react";
import { Background, Controls, MiniMap, ReactFlow, type Edge, type Node } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import type { GraphModel } from "./graph-model.ts";
import { NODE_HEIGHT, NODE_WIDTH, type Positioned } from "./layout.ts";
import { phaseColours } from "../executions/phase.tsx";

export interface GraphViewProps {
  graph: GraphModel;
  layout: Positioned;
  /** Phase name by node id. */
  phases: Record<string, string>;
  selected: string | undefined;
  onSelect: (nodeId: string) => void;
}

export default function GraphView({ graph, layout, phases, selected, onSelect }: GraphViewProps) {
  const big = graph.nodes.length > 300;
  const nodes: Node[] = useMemo(
    () =>
      graph.nodes.map((n) => {
        const phase = phases[n.id] ?? (n.kind === "start" || n.kind === "end" ? "" : "UNDEFINED");
        return {
          id: n.id,
          position: layout.positions[n.id] ?? { x: 0, y: 0 },
          data: { label: n.label },
          draggable: false,
          connectable: false,
          selected: n.id === selected,
          ariaLabel: `${n.label}${phase ? `, ${phase}` : ""}`,
          className: `flow-node${n.id === selected ? " selected" : ""}`,
          style: { width: NODE_WIDTH, height: NODE_HEIGHT, borderColor: phaseColours[phase] ?? "#8a939e", borderLeftWidth: 8 },
          sourcePosition: "right" as Node["sourcePosition"],
          targetPosition: "left" as Node["targetPosition"],
          type: n.kind === "start" ? "input" : n.kind === "end" ? "output" : "default",
        };
      }),
    [graph, layout, phases, selected],
  );
  const edges: Edge[] = useMemo(() => graph.edges.map((e, i) => ({ id: `e${i}`, source: e.source, target: e.target, focusable: false })), [graph]);
  return (
    <div className="graph-box" data-testid="execution-graph" data-nodes={graph.nodes.length} data-layout={layout.mode}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        onNodeClick={(_, node) => onSelect(node.id)}
        nodesDraggable={false}
        nodesConnectable={false}
        onlyRenderVisibleElements={big}
        minZoom={0.02}
        fitView
        proOptions={{ hideAttribution: true }}
        colorMode="system"
      >
        <Background />
        <Controls showInteractive={false} />
        {!big && <MiniMap pannable zoomable />}
      </ReactFlow>
    </div>
  );
}
