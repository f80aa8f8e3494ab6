// A cached task whose output differs on every run of its body: an equal output on a second run is a cache hit.
import { t, task, workflow } from "@aloft/sdk";

export const stamp = task({ inputs: { x: t.int() }, outputs: t.float(), cache: { version: "1" } }, ({ x }) => x + Math.random());

export const cachedFlow = workflow({ inputs: { x: t.int() }, outputs: { v: t.float() } }, ({ x }) => ({ v: stamp({ x }) }));

// Slow enough that two concurrent executions would both run it, were it not serialised.
export const slowStamp = task(
  { inputs: { x: t.int() }, outputs: t.float(), cache: { version: "1", serialize: true } },
  async ({ x }) => (await new Promise((r) => setTimeout(r, 600)), x + Math.random()),
);

export const serializedFlow = workflow({ inputs: { x: t.int() }, outputs: { v: t.float() } }, ({ x }) => ({ v: slowStamp({ x }) }));
