// A small project for the remote tests: registered with `aloft register`, run by `aloft start`.
import { threadId } from "node:worker_threads";
import { t, task, workflow } from "@aloft/sdk";

export const double = task({ inputs: { x: t.int() }, outputs: t.int() }, ({ x }) => x * 2);
export const describe_ = task({ inputs: { n: t.int() }, outputs: t.string(), name: "describe" }, ({ n }) => `value ${n}`);

export const quadruple = workflow({ inputs: { x: t.int() }, outputs: { y: t.int(), text: t.string() } }, ({ x }) => {
  const y = double({ x: double({ x }) });
  return { y, text: describe_({ n: y }) };
});

// Which thread ran the task: `aloft start` runs TypeScript tasks in the engine's worker pool, never on the
// server's main thread (thread 0).
export const threadOf = task({ inputs: { salt: t.int() }, outputs: t.int(), name: "thread-of" }, () => threadId);
export const whereTasksRun = workflow({ inputs: { salt: t.int() }, outputs: { thread: t.int() } }, ({ salt }) => ({ thread: threadOf({ salt }) }));
