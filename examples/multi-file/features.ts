// Item generation for the multi-file example: a module of tasks that workflows in other modules import.
import { t, task } from "@aloft/sdk";

export const Item = t.struct({ sku: t.string(), price: t.float(), quantity: t.int() }, { name: "Item" });

/** A deterministic order of `count` items (a small linear congruential generator, so runs are reproducible). */
export const makeItems = task({ inputs: { count: t.int(), seed: t.int() }, outputs: t.list(Item) }, ({ count, seed }) => {
  let state = seed >>> 0;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return Array.from({ length: count }, (_, i) => ({
    sku: `SKU-${String(i).padStart(3, "0")}`,
    price: Math.round(next() * 10_000) / 100,
    quantity: 1 + Math.floor(next() * 5),
  }));
});
