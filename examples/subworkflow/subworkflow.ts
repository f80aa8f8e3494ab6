// Workflows inside workflows: `normalize` runs as a sub-workflow node of `scoreBatch` (its nodes part of the
// same execution), and `summaryPlan`, a launch plan of `summarize`, runs as a child execution with its own id.
import { launchPlan, t, task, workflow } from "@aloft/sdk";

export const scale = task({ inputs: { values: t.list(t.float()), by: t.float() }, outputs: t.list(t.float()) }, ({ values, by }) =>
  values.map((v) => v * by),
);

export const clamp = task({ inputs: { values: t.list(t.float()), max: t.float() }, outputs: t.list(t.float()) }, ({ values, max }) =>
  values.map((v) => Math.min(v, max)),
);

export const mean = task({ inputs: { values: t.list(t.float()) }, outputs: t.float() }, ({ values }) =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length,
);

export const describe = task({ inputs: { label: t.string(), value: t.float() }, outputs: t.string() }, ({ label, value }) =>
  `${label}: ${value.toFixed(3)}`,
);

/** Scales values to [0, 1] of `max` and caps them: two tasks, used as a sub-workflow. */
export const normalize = workflow(
  { inputs: { values: t.list(t.float()), max: t.float() }, outputs: { normalized: t.list(t.float()) } },
  ({ values, max }) => ({ normalized: clamp({ values: scale({ values, by: 1 / 100 }), max }) }),
);

/** Averages values and describes the result. */
export const summarize = workflow(
  { inputs: { values: t.list(t.float()), label: t.string() }, outputs: { text: t.string() }, defaults: { label: "mean" } },
  ({ values, label }) => ({ text: describe({ label, value: mean({ values }) }) }),
);

export const summaryPlan = launchPlan({ name: "summaryPlan", workflow: summarize, defaults: { label: "batch mean" } });

export const scoreBatch = workflow(
  {
    inputs: { values: t.list(t.float()) },
    outputs: { normalized: t.list(t.float()), summary: t.string() },
    defaults: { values: [12, 55, 140, 99.5] },
  },
  ({ values }) => {
    const { normalized } = normalize({ values, max: 1 });
    const { text } = summaryPlan({ values: normalized });
    return { normalized, summary: text };
  },
);
