// A cached task whose output differs on every run of its body: an equal output on a second run is a cache hit.
import { t, task, workflow } from "@aloft/sdk";

export const stamp = task({ inputs: { x: t.int() }, outputs: t.float(), cache: { version: "1" } }, ({ x }) => x + Math.random());

export const cachedFlow = workflow({ inputs: { x: t.int() }, outputs: { v: t.float() } }, ({ x }) => ({ v: stamp({ x }) }));
