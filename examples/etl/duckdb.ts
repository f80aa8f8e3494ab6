// One DuckDB connection per task call, closed afterwards: tasks stay independent and nothing leaks between runs.
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";

export async function withDuckDB<T>(fn: (db: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Quotes a file path for a SQL string literal. */
export const sqlPath = (p: string) => `'${p.replaceAll("'", "''")}'`;

/** Runs a query and returns its rows as JSON-safe objects (BIGINTs as numbers when they fit). */
export async function queryRows(db: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await db.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}
