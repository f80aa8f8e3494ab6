// A deterministic synthetic order log, the kind an e-commerce export produces: timestamps, customers,
// countries, products, quantities and prices, with realistic dirt (cancelled orders, zero/negative quantities,
// missing prices) for the cleaning step to remove.

/** Mulberry32: a tiny seeded PRNG, so the same seed always gives the same dataset. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const products: ReadonlyArray<{ sku: string; price: number }> = [
  { sku: "espresso-beans-1kg", price: 24.5 },
  { sku: "grinder-burr", price: 129 },
  { sku: "milk-jug-600ml", price: 18.9 },
  { sku: "filter-papers-100", price: 6.25 },
  { sku: "kettle-gooseneck", price: 79.99 },
  { sku: "scale-0.1g", price: 39 },
];
export const countries = ["DE", "FR", "NL", "US", "GB", "SE"] as const;

export interface OrderRow {
  order_id: number;
  order_ts: string;
  customer_id: string;
  country: string;
  sku: string;
  quantity: number;
  unit_price: number | null;
  status: "paid" | "shipped" | "cancelled";
}

export function generateOrders(rows: number, seed: number, start = Date.UTC(2024, 0, 1), days = 28): OrderRow[] {
  const r = rng(seed);
  const out: OrderRow[] = [];
  for (let i = 0; i < rows; i++) {
    const p = products[Math.floor(r() * products.length)]!;
    const ts = new Date(start + Math.floor(r() * days * 86_400_000));
    const dirt = r();
    out.push({
      order_id: 100_000 + i,
      order_ts: ts.toISOString().slice(0, 19).replace("T", " "),
      customer_id: `C${String(Math.floor(r() * 400)).padStart(4, "0")}`,
      country: countries[Math.floor(r() * countries.length)]!,
      sku: p.sku,
      quantity: dirt < 0.03 ? 0 : dirt < 0.05 ? -1 : 1 + Math.floor(r() * 4),
      unit_price: dirt > 0.98 ? null : p.price,
      status: dirt > 0.9 && dirt <= 0.98 ? "cancelled" : r() < 0.7 ? "shipped" : "paid",
    });
  }
  return out;
}

export function toCsv(rows: OrderRow[]): string {
  const header = "order_id,order_ts,customer_id,country,sku,quantity,unit_price,status";
  const lines = rows.map((o) => [o.order_id, o.order_ts, o.customer_id, o.country, o.sku, o.quantity, o.unit_price ?? "", o.status].join(","));
  return [header, ...lines].join("\n") + "\n";
}
