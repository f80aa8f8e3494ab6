// A workflow whose tasks live in other modules (features.ts, pricing.ts) and in a workspace package
// (@aloft-examples/report), as in a real project: `aloft run` and `aloft run --remote` find each task in the
// module that defined it. `priceInBatches` is a dynamic task that adds nodes for an imported task at run time.
import { formatReport } from "@aloft-examples/report";
import { dynamic, t, workflow } from "@aloft/sdk";
import { Item, makeItems } from "./features.ts";
import { batchTotal, sumTotals } from "./pricing.ts";

/** One pricing node per batch of `batchSize` items: the number of nodes follows the data. */
export const priceInBatches = dynamic(
  { inputs: { items: t.list(Item), batchSize: t.int() }, outputs: { total: t.float(), batches: t.int() } },
  ({ items, batchSize }) => {
    const batches: (typeof items)[] = [];
    for (let i = 0; i < items.length; i += batchSize) batches.push(items.slice(i, i + batchSize));
    return { total: sumTotals({ totals: batches.map((b) => batchTotal({ items: b })) }), batches: batches.length };
  },
);

export const orderValue = workflow(
  {
    inputs: { count: t.int(), seed: t.int(), batchSize: t.int() },
    outputs: { total: t.float(), batches: t.int(), check: t.float(), report: t.string() },
    defaults: { count: 10, seed: 7, batchSize: 4 },
  },
  ({ count, seed, batchSize }) => {
    const items = makeItems({ count, seed });
    const priced = priceInBatches({ items, batchSize });
    // The same total computed in one node, to check the batched sum against (each batch total is rounded to the
    // cent, so the two may differ by a cent or two).
    return {
      total: priced.total,
      batches: priced.batches,
      check: batchTotal({ items }),
      report: formatReport({ total: priced.total, batches: priced.batches, items: count }),
    };
  },
);
