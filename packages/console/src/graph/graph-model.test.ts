import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { workflowGraph } from "./graph-model.ts";
import { fastLayout } from "./fast-layout.ts";
import { FAST_LAYOUT_THRESHOLD } from "./layout.ts";

const promise = (nodeId: string) => ({ binding: { value: { case: "promise" as const, value: { nodeId, var: "o0" } } } });
const taskNode = (id: string, inputsFrom: string[] = [], upstream: string[] = []) =>
  create(core.NodeSchema, {
    id,
    upstreamNodeIds: upstream,
    inputs: inputsFrom.map((from, i) => ({ var: `x${i}`, ...promise(from) })),
    target: { case: "taskNode", value: { reference: { case: "referenceId", value: { name: `my.tasks.${id}-task` } } } },
  });

describe("workflowGraph", () => {
  it("reads edges from input bindings and upstream ids when the closure has no connections, and hangs loose ends on start and end", () => {
    const compiled = create(core.CompiledWorkflowSchema, {
      template: {
        nodes: [taskNode("n0"), taskNode("n1", ["n0"]), taskNode("n2", [], ["n0"]), taskNode("n3", ["n1", "n2"])],
        outputs: [{ var: "o", ...promise("n3") }],
      },
    });
    const g = workflowGraph(compiled);
    expect(g.nodes.map((n) => n.id)).toEqual(["start-node", "n0", "n1", "n2", "n3", "end-node"]);
    expect(g.nodes[1]!.label).toBe("n0: n0-task");
    expect(g.edges.map((e) => `${e.source}>${e.target}`).sort()).toEqual(["n0>n1", "n0>n2", "n1>n3", "n2>n3", "n3>end-node", "start-node>n0"]);
  });

  it("takes the compiler's connections when present and draws start and end once", () => {
    const compiled = create(core.CompiledWorkflowSchema, {
      template: { nodes: [create(core.NodeSchema, { id: "start-node" }), taskNode("a"), taskNode("b"), create(core.NodeSchema, { id: "end-node" })] },
      connections: { upstream: { a: { ids: ["start-node"] }, b: { ids: ["a"] }, "end-node": { ids: ["b"] } } },
    });
    const g = workflowGraph(compiled);
    expect(g.nodes.map((n) => n.id)).toEqual(["start-node", "a", "b", "end-node"]);
    expect(g.edges).toEqual([
      { source: "start-node", target: "a" },
      { source: "a", target: "b" },
      { source: "b", target: "end-node" },
    ]);
  });
});

describe("fastLayout", () => {
  const options = { nodeWidth: 100, nodeHeight: 20, layerGap: 10, nodeGap: 5 };

  it("puts each node one layer right of its deepest parent, a chain on one row", () => {
    const graph = {
      nodes: ["s", "a", "b", "c", "e"].map((id) => ({ id, label: id, kind: "task" })),
      edges: [
        { source: "s", target: "a" },
        { source: "a", target: "b" },
        { source: "s", target: "c" },
        { source: "b", target: "e" },
        { source: "c", target: "e" },
      ],
    };
    const { positions } = fastLayout(graph, options);
    expect(positions["s"]).toEqual({ x: 0, y: 0 });
    expect(positions["a"]!.x).toBe(110);
    expect(positions["b"]!.x).toBe(220);
    expect(positions["c"]!.x).toBe(110);
    expect(positions["e"]!.x).toBe(330);
    expect(positions["a"]!.y).not.toBe(positions["c"]!.y);
  });

  it("lays out a 10,000-node fan-out with every node placed and none overlapping", () => {
    const n = 10_000;
    const nodes = [{ id: "s", label: "s", kind: "start" }, ...Array.from({ length: n }, (_, i) => ({ id: `m${i}`, label: "", kind: "task" })), { id: "e", label: "e", kind: "end" }];
    const edges = Array.from({ length: n }, (_, i) => [{ source: "s", target: `m${i}` }, { source: `m${i}`, target: "e" }]).flat();
    expect(nodes.length).toBeGreaterThan(FAST_LAYOUT_THRESHOLD);
    const { positions } = fastLayout({ nodes, edges }, options);
    expect(Object.keys(positions)).toHaveLength(n + 2);
    const spots = new Set(Object.values(positions).map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(n + 2);
  });
});
