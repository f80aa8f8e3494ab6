// Flyte 2 tasks the worker-pool test runs in worker threads (the runtime imports this module by path).
import { t } from "../../types/t.ts";
import { TaskEnvironment } from "../environment.ts";
import { group } from "../group.ts";
import { trace } from "../trace.ts";
import { ActionFailedError } from "../errors.ts";
import { TaskFailure } from "../../errors.ts";
import { taskWorkflow } from "../run.ts";

export const env = new TaskEnvironment({ name: "pool" });

export const double = env.task({ name: "double", inputs: { x: t.int() }, outputs: t.int() }, async ({ x }) => {
  if (x < 0) throw new TaskFailure("negative", "Negative");
  return 2 * x;
});

const offset = trace(async function offset(n: number) {
  return n * 100;
});

export const fan = env.task({ name: "fan", inputs: { n: t.int() }, outputs: { sum: t.int(), caught: t.string() } }, async ({ n }) => {
  const xs = await group("doubles", () => Promise.all(Array.from({ length: n }, (_, x) => double({ x }))));
  let caught = "";
  try {
    await double({ x: -1 });
  } catch (e) {
    if (e instanceof ActionFailedError) caught = e.errorCode;
  }
  return { sum: xs.reduce((a, b) => a + b, 0) + (await offset(n)), caught };
});

/** The workflow registration would make of `fan` (exported: registered workflows are found by their export). */
export const fanWorkflow = taskWorkflow(fan);
