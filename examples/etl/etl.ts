// ETL pipeline: extract an order log as CSV, clean it into a Parquet dataset with DuckDB, aggregate daily revenue
// per country and the top customers with SQL, and report a summary. Tables travel between tasks as Flyte
// StructuredDatasets (Parquet in the blob store); each task reads them with DuckDB's read_parquet.
import { join } from "node:path";
import { FlyteFile, StructuredDataset, t, task, workflow } from "@aloft/sdk";
import { queryRows, sqlPath, withDuckDB } from "./duckdb.ts";
import { generateOrders, toCsv } from "./orders-data.ts";

const orderColumns = { order_id: t.int(), order_ts: t.datetime(), customer_id: t.string(), country: t.string(), sku: t.string(), quantity: t.int(), revenue: t.float() };
const dailyColumns = { day: t.string(), country: t.string(), orders: t.int(), revenue: t.float() };
export const TopCustomer = t.struct({ customer_id: t.string(), orders: t.int(), revenue: t.float() }, { name: "TopCustomer" });
export const EtlSummary = t.struct(
  { raw_rows: t.int(), clean_rows: t.int(), rejected: t.int(), revenue: t.float(), days: t.int(), best_country: t.string() },
  { name: "EtlSummary" },
);

/** Extract: the day's order export as a CSV file (generated deterministically from `seed`). */
export const extractOrders = task(
  { inputs: { rows: t.int(), seed: t.int() }, outputs: t.file("csv"), cache: { version: "1" } },
  ({ rows, seed }) => FlyteFile.fromBytes(toCsv(generateOrders(rows, seed)), "orders.csv", "csv"),
);

/** Clean: drop cancelled orders, non-positive quantities and missing prices; compute revenue per order. */
export const cleanOrders = task(
  { inputs: { raw: t.file("csv") }, outputs: { orders: t.dataframe({ columns: orderColumns }), raw_rows: t.int() }, retries: 1 },
  async ({ raw }, ctx) => {
    const csv = await raw.localPath();
    const out = join(ctx.scratchDir, "orders.parquet");
    const rawRows = await withDuckDB(async (db) => {
      await db.run(`CREATE TABLE raw AS SELECT * FROM read_csv(${sqlPath(csv)}, header = true, columns = {
        'order_id': 'BIGINT', 'order_ts': 'TIMESTAMP', 'customer_id': 'VARCHAR', 'country': 'VARCHAR', 'sku': 'VARCHAR',
        'quantity': 'BIGINT', 'unit_price': 'DOUBLE', 'status': 'VARCHAR'})`);
      await db.run(`COPY (
        SELECT order_id, order_ts, customer_id, country, sku, quantity, round(quantity * unit_price, 2) AS revenue
        FROM raw WHERE status <> 'cancelled' AND quantity > 0 AND unit_price IS NOT NULL ORDER BY order_id
      ) TO ${sqlPath(out)} (FORMAT PARQUET)`);
      const [row] = await queryRows(db, "SELECT count(*) AS n FROM raw");
      return Number(row!.n);
    });
    return { orders: StructuredDataset.fromParquetFile(out), raw_rows: rawRows };
  },
);

/** Transform: revenue and order count per day and country. */
export const dailyRevenue = task(
  { inputs: { orders: t.dataframe({ columns: orderColumns }) }, outputs: t.dataframe({ columns: dailyColumns }) },
  async ({ orders }, ctx) => {
    const out = join(ctx.scratchDir, "daily.parquet");
    await withDuckDB(async (db) => {
      await db.run(`CREATE VIEW orders AS SELECT * FROM ${await orders.duckdbSource()}`);
      await db.run(`COPY (
        SELECT strftime(order_ts, '%Y-%m-%d') AS day, country, count(*) AS orders, round(sum(revenue), 2) AS revenue
        FROM orders GROUP BY ALL ORDER BY day, country
      ) TO ${sqlPath(out)} (FORMAT PARQUET)`);
    });
    return StructuredDataset.fromParquetFile(out);
  },
);

/** The customers who spent most. */
export const topCustomers = task(
  { inputs: { orders: t.dataframe({ columns: orderColumns }), n: t.int() }, outputs: t.list(TopCustomer) },
  async ({ orders, n }) =>
    withDuckDB(async (db) => {
      const rows = await queryRows(
        db,
        `SELECT customer_id, count(*) AS orders, round(sum(revenue), 2) AS revenue
         FROM ${await orders.duckdbSource()} GROUP BY customer_id ORDER BY revenue DESC, customer_id LIMIT ${Math.max(0, Math.floor(n))}`,
      );
      return rows.map((r) => ({ customer_id: String(r.customer_id), orders: Number(r.orders), revenue: Number(r.revenue) }));
    }),
);

/** Load: the run's summary, as a team would post it to a dashboard. */
export const summarise = task(
  { inputs: { daily: t.dataframe({ columns: dailyColumns }), orders: t.dataframe({ columns: orderColumns }), raw_rows: t.int() }, outputs: EtlSummary },
  async ({ daily, orders, raw_rows }) =>
    withDuckDB(async (db) => {
      const [totals] = await queryRows(db, `SELECT count(*) AS n FROM ${await orders.duckdbSource()}`);
      const [agg] = await queryRows(
        db,
        `SELECT round(sum(revenue), 2) AS revenue, count(DISTINCT day) AS days,
                arg_max(country, revenue_by_country) AS best_country
         FROM (SELECT *, sum(revenue) OVER (PARTITION BY country) AS revenue_by_country FROM ${await daily.duckdbSource()})`,
      );
      const clean = Number(totals!.n);
      return {
        raw_rows,
        clean_rows: clean,
        rejected: raw_rows - clean,
        revenue: Number(agg!.revenue),
        days: Number(agg!.days),
        best_country: String(agg!.best_country),
      };
    }),
);

export const etlPipeline = workflow(
  {
    inputs: { rows: t.int(), seed: t.int(), top: t.int() },
    outputs: { summary: EtlSummary, daily: t.dataframe({ columns: dailyColumns }), top_customers: t.list(TopCustomer) },
    defaults: { rows: 5000, seed: 42, top: 5 },
  },
  ({ rows, seed, top }) => {
    const raw = extractOrders({ rows, seed });
    const cleaned = cleanOrders({ raw });
    const daily = dailyRevenue({ orders: cleaned.orders });
    return {
      summary: summarise({ daily, orders: cleaned.orders, raw_rows: cleaned.raw_rows }),
      daily,
      top_customers: topCustomers({ orders: cleaned.orders, n: top }),
    };
  },
);
