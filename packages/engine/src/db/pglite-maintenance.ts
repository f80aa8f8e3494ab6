// Autovacuum for PGlite. PGlite is PostgreSQL in single-user mode: no autovacuum launcher, no
// background workers. Without it, dead row versions (every phase change of an execution makes one)
// are never reclaimed, and tables are never analyzed, so the planner works from guesses: it read
// every node execution through a sequential scan to look up a few by primary key, each lookup
// slower as the table grew. This runs PostgreSQL's own autovacuum rule on the one connection:
// a table is vacuumed when its dead rows pass threshold + scale × live rows, and analyzed when
// the rows changed since its last analyze do (PostgreSQL's defaults: 50 + 20% and 50 + 10%).
import { sql, type Kysely } from "kysely";

export interface MaintenanceOptions {
  /** Milliseconds between passes (default 10 s). */
  intervalMs?: number;
  /** autovacuum_vacuum_threshold / autovacuum_vacuum_scale_factor. */
  vacuumThreshold?: number;
  vacuumScale?: number;
  /** autovacuum_analyze_threshold / autovacuum_analyze_scale_factor. */
  analyzeThreshold?: number;
  analyzeScale?: number;
}

export interface MaintenancePass {
  vacuumed: string[];
  analyzed: string[];
}

interface TableStats {
  relname: string;
  live: number;
  dead: number;
  modified: number;
  /** pg_class.reltuples: -1 for a table never vacuumed or analyzed (its statistics lost in a crash, say). */
  reltuples: number;
  bytes: number;
}

/** An identifier as SQL text: every table name comes from the catalog, and is quoted all the same. */
const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Picks the tables over the thresholds and vacuums or analyzes each (one statement per table). */
export async function maintainOnce(db: Kysely<any>, options: MaintenanceOptions = {}): Promise<MaintenancePass> {
  const vt = options.vacuumThreshold ?? 50;
  const vs = options.vacuumScale ?? 0.2;
  const at = options.analyzeThreshold ?? 50;
  const as = options.analyzeScale ?? 0.1;
  const { rows } = await sql<TableStats>`
    select s.relname, s.n_live_tup::int8 as live, s.n_dead_tup::int8 as dead, s.n_mod_since_analyze::int8 as modified,
           c.reltuples::float8 as reltuples, pg_relation_size(c.oid)::int8 as bytes
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid
     where s.schemaname = current_schema()`.execute(db);
  const pass: MaintenancePass = { vacuumed: [], analyzed: [] };
  for (const t of rows) {
    const base = Math.max(t.reltuples, t.live, 0);
    const vacuum = t.dead > vt + vs * base;
    // A table with rows but no statistics at all (reltuples -1) is analyzed whatever the counters say: after a crash
    // PostgreSQL starts them from zero.
    const analyze = t.modified > at + as * base || (t.reltuples < 0 && t.bytes > 0);
    if (!vacuum && !analyze) continue;
    const name = quoteIdent(t.relname);
    try {
      await sql.raw(vacuum ? `vacuum (analyze) ${name}` : `analyze ${name}`).execute(db);
    } catch (err) {
      // A table dropped since the statistics were read: nothing to maintain.
      if ((err as { code?: string }).code === "42P01") continue;
      throw err;
    }
    if (vacuum) pass.vacuumed.push(t.relname);
    pass.analyzed.push(t.relname);
  }
  return pass;
}

/**
 * Runs maintainOnce every interval until stopped. A pass waits its turn for the connection like any
 * query. A failed pass is reported to onError and the next one runs as planned.
 */
export function startMaintenance(db: Kysely<any>, options: MaintenanceOptions & { onError?: (err: Error) => void } = {}): { stop(): Promise<void> } {
  const interval = options.intervalMs ?? 10_000;
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = maintainOnce(db, options)
        .catch((err: Error) => {
          if (!stopped) options.onError?.(err);
        })
        .finally(schedule);
    }, interval);
    // Maintenance never keeps a process alive.
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
