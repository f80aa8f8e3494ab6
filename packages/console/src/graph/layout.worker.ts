// The layout runs here, off the page's main thread: a 10,000-node graph takes seconds to lay out and the page
// must stay responsive meanwhile.
import ELK from "elkjs/lib/elk.bundled.js";
import { layoutGraph } from "./layout.ts";
import type { GraphModel } from "./graph-model.ts";

const elk = new ELK();

self.onmessage = async (e: MessageEvent<{ id: number; graph: GraphModel }>) => {
  try {
    const result = await layoutGraph(elk, e.data.graph);
    self.postMessage({ id: e.data.id, result });
  } catch (err) {
    self.postMessage({ id: e.data.id, error: err instanceof Error ? err.message : String(err) });
  }
};
