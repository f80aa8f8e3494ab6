import { describe, expect, it } from "vitest";
import { runWorkflow } from "@aloft/sdk";
import { etlPipeline } from "./etl.ts";
import { generateOrders } from "./orders-data.ts";

/** The same aggregates computed in plain TypeScript, as an independent check of the SQL. */
function expected(rows: number, seed: number) {
  const raw = generateOrders(rows, seed);
  const clean = raw.filter((o) => o.status !== "cancelled" && o.quantity > 0 && o.unit_price !== null);
  const revenueOf = (o: (typeof clean)[number]) => Math.round(o.quantity * o.unit_price! * 100) / 100;
  const byCountry = new Map<string, number>();
  const byCustomer = new Map<string, { orders: number; revenue: number }>();
  const days = new Set<string>();
  for (const o of clean) {
    byCountry.set(o.country, (byCountry.get(o.country) ?? 0) + revenueOf(o));
    const c = byCustomer.get(o.customer_id) ?? { orders: 0, revenue: 0 };
    byCustomer.set(o.customer_id, { orders: c.orders + 1, revenue: c.revenue + revenueOf(o) });
    days.add(o.order_ts.slice(0, 10));
  }
  const best = [...byCountry].sort((a, b) => b[1] - a[1])[0]![0];
  const top = [...byCustomer].sort((a, b) => b[1].revenue - a[1].revenue || a[0].localeCompare(b[0]))[0]!;
  return { raw: raw.length, clean: clean.length, revenue: clean.reduce((s, o) => s + revenueOf(o), 0), days: days.size, best, top };
}

describe("ETL example", () => {
  it("cleans, aggregates and summarises the order log", async () => {
    const { outputs } = await runWorkflow(etlPipeline, { rows: 3000, seed: 7, top: 3 });
    const want = expected(3000, 7);
    expect(outputs.summary.raw_rows).toBe(want.raw);
    expect(outputs.summary.clean_rows).toBe(want.clean);
    expect(outputs.summary.rejected).toBe(want.raw - want.clean);
    expect(outputs.summary.rejected).toBeGreaterThan(0);
    expect(outputs.summary.revenue).toBeCloseTo(want.revenue, 1);
    expect(outputs.summary.days).toBe(want.days);
    expect(outputs.summary.best_country).toBe(want.best);
    expect(outputs.top_customers).toHaveLength(3);
    expect(outputs.top_customers[0]).toEqual({ customer_id: want.top[0], orders: want.top[1].orders, revenue: expect.closeTo(want.top[1].revenue, 1) });

    // The daily dataset is real Parquet in the blob store, readable as an Arrow table.
    const daily = await outputs.daily.table();
    const rows = daily.toArray().map((r) => r.toJSON() as { day: string; revenue: number; orders: bigint | number });
    expect(rows.reduce((s, r) => s + r.revenue, 0)).toBeCloseTo(want.revenue, 0);
    expect(rows.reduce((s, r) => s + Number(r.orders), 0)).toBe(want.clean);
    expect(new Set(rows.map((r) => r.day)).size).toBe(want.days);
  }, 60_000);
});
