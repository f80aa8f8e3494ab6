// Pricing for the multi-file example: tasks in a second module, used by the workflow and by the dynamic task
// (which adds nodes for them at run time).
import { t, task } from "@aloft/sdk";
import { Item } from "./features.ts";

/** The value of a batch of items, with a volume discount on lines of 4 or more. */
export const batchTotal = task({ inputs: { items: t.list(Item) }, outputs: t.float() }, ({ items }) =>
  Math.round(items.reduce((sum, { price, quantity }) => sum + price * quantity * (quantity >= 4 ? 0.9 : 1), 0) * 100) / 100,
);

export const sumTotals = task({ inputs: { totals: t.list(t.float()) }, outputs: t.float() }, ({ totals }) =>
  Math.round(totals.reduce((a, b) => a + b, 0) * 100) / 100,
);
