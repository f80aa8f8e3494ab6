// Asks the layout worker for positions; one worker per page, requests answered in order.
import type { GraphModel } from "./graph-model.ts";
import type { Positioned } from "./layout.ts";

let worker: Worker | undefined;
let next = 0;
const waiting = new Map<number, { resolve: (p: Positioned) => void; reject: (e: Error) => void }>();

export function layoutInWorker(graph: GraphModel): Promise<Positioned> {
  if (!worker) {
    worker = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (e: MessageEvent<{ id: number; result?: Positioned; error?: string }>) => {
      const w = waiting.get(e.data.id);
      waiting.delete(e.data.id);
      if (e.data.result) w?.resolve(e.data.result);
      else w?.reject(new Error(e.data.error ?? "layout failed"));
    };
  }
  const id = next++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    worker!.postMessage({ id, graph });
  });
}
