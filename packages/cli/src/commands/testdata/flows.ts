// Workflows for the `aloft run` tests.
import { launchPlan, t, task, workflow } from "@aloft/sdk";

export const add = task({ inputs: { a: t.int(), b: t.int() }, outputs: t.int() }, ({ a, b }) => a + b);
export const explode = task({ inputs: { why: t.string() }, outputs: t.int() }, ({ why }) => {
  throw new RangeError(`cannot continue: ${why}`);
});

export const sum = workflow(
  { inputs: { a: t.int(), b: t.int(), tags: t.list(t.string()), when: t.optional(t.datetime()) }, outputs: { total: t.int() }, defaults: { b: 10 } },
  ({ a, b }) => ({ total: add({ a, b }) }),
);

export const broken = workflow({ inputs: { why: t.string() }, outputs: t.int() }, ({ why }) => explode({ why }));

/** Counts real executions, so tests can tell a cache hit from a run. */
export const executions = { slowSquare: 0 };
export const slowSquare = task({ inputs: { n: t.int() }, outputs: t.int(), cache: { version: "1" } }, ({ n }) => {
  executions.slowSquare++;
  return n * n;
});
export const cached = workflow({ inputs: { n: t.int() }, outputs: t.int() }, ({ n }) => slowSquare({ n }));

export const weekly = launchPlan({ name: "flows.weekly", workflow: sum, fixed: { b: 100 }, defaults: { tags: ["weekly"] } });
