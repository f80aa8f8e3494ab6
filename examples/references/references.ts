// Calling another team's Python tasks from TypeScript: py/billing.py is registered with flytekit (`pyflyte register`,
// or `aloft register py/flyte-package.tgz --version py1`), `aloft codegen` wrote the typed declarations under refs/,
// and these workflows call them as if they were TypeScript tasks. tsc checks the wiring (a float into `qty`, an int
// input, is an editor error); `aloft register` checks the declarations against the server; the run executes the
// Python tasks as Python. Run with `aloft run --remote` (a local run needs them mocked: references.test.ts).
import { t, task, workflow } from "@aloft/sdk";
import { add } from "./refs/add.ts";
import { describe } from "./refs/describe.ts";
import { lineTotal } from "./refs/line-total.ts";
import { lineTotalPlan } from "./refs/line-total-plan.ts";

export const shout = task({ inputs: { text: t.string() }, outputs: t.string() }, ({ text }) => `${text.toUpperCase()}!`);

/** A Python task feeding a Python task feeding a TypeScript task. */
export const invoice = workflow({ inputs: { item: t.string(), qty: t.int(), extra: t.int(), unitPrice: t.float() }, outputs: t.string() }, ({ item, qty, extra, unitPrice }) => {
  const total = add({ a: qty, b: extra });
  return shout({ text: describe({ item, qty: total, unit_price: unitPrice }) });
});

/** A Python workflow as a sub-workflow, and its launch plan as a child execution. */
export const invoiceTwice = workflow({ inputs: { qty: t.int() }, outputs: { inline: t.string(), child: t.string() } }, ({ qty }) => ({
  inline: lineTotal({ qty, unit_price: 2.5 }),
  child: lineTotalPlan({ qty, unit_price: 1 }),
}));
