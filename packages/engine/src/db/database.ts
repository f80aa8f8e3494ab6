// One SQL layer for every Aloft package: Kysely over PGlite (embedded, the default) or PostgreSQL
// (when a URL is given). Queries and schema are written once and run on both.
import { Kysely, PostgresDialect, sql, type Dialect } from "kysely";
import pg from "pg";
import { InvalidArgumentError } from "../errors.ts";
import { StoreFaultError } from "./faults.ts";
import { DatabaseHealth, watchedDialect } from "./health.ts";
import { acquireDataDirLock, type DataDirLock } from "./data-dir-lock.ts";
import { groupAndValidate, migrate, type Migration } from "./migrations.ts";
import { openPGliteWorker } from "./pglite-cluster.ts";
import { PGliteDialect } from "./pglite-dialect.ts";
import { PGliteSupervisor } from "./pglite-supervisor.ts";
import { startMaintenance, type MaintenanceOptions } from "./pglite-maintenance.ts";

export interface OpenDatabaseOptions {
  /** `postgres://…` URL. When set, PostgreSQL is used and `dataDir` must be absent. */
  url?: string;
  /** PGlite data directory; owned by this process until `close()`. Absent (and no url): in memory. */
  dataDir?: string;
  /** Migrations of every package that keeps tables here; applied in order per package. */
  migrations: readonly Migration[];
  /**
   * PGlite only: let V8 optimize PGlite's WASM. Costs ~50 MiB more resident memory; saves ~20% of
   * PGlite's CPU on statement-heavy work. Worth it for a long-running server (default false).
   */
  optimizeWasm?: boolean;
  /**
   * PGlite only: its autovacuum (PGlite has none of its own; see pglite-maintenance.ts). `false`
   * turns it off (tests that count statements).
   */
  maintenance?: MaintenanceOptions | false;
  /** Pool size for PostgreSQL (default 10). */
  maxConnections?: number;
  /** PostgreSQL only: how long to wait for a new connection before the statement fails UNAVAILABLE (default 5 s). */
  connectTimeoutMs?: number;
  /**
   * A fault outside any statement, e.g. PostgreSQL ending an idle pooled connection (default: a process warning).
   * It never ends the process; the next statement reconnects.
   */
  onWarning?: (message: string, err: Error) => void;
}

export interface Database {
  readonly dialect: "pglite" | "postgres";
  /** Untyped handle; packages view it through their own table types with `typed()`. */
  readonly kysely: Kysely<any>;
  typed<Tables>(): Kysely<Tables>;
  /** Applies further migrations (e.g. a package opened after the database). */
  migrate(migrations: readonly Migration[]): Promise<Migration[]>;
  /** Reachability, the last fault and every statement's duration. */
  readonly health: DatabaseHealth;
  /** Runs one trivial statement; rejects with a StoreFaultError when the database does not answer in time. */
  ping(timeoutMs?: number): Promise<void>;
  /**
   * PGlite on a data directory only: ends its worker thread as a crash would (fault drills, tests). Statements fail
   * UNAVAILABLE until a new worker, started at once on the same directory, serves again.
   */
  crashWorker?(): Promise<void>;
  close(): Promise<void>;
}

// int8 (oid 20) as a JS number on both dialects: our counters and epoch-milliseconds fit in 2^53,
// and one representation keeps query results identical across PGlite and PostgreSQL. PGlite's
// parser lives in pglite-worker.mjs.
const INT8_OID = 20;
const parseInt8 = (value: string) => Number(value);

function openPostgres(url: string, maxConnections: number, connectTimeoutMs: number, onWarning: (message: string, err: Error) => void): Dialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    connectionTimeoutMillis: connectTimeoutMs,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  // An idle pooled client whose connection ends (pg_terminate_backend, a database restart) is reported here; with no
  // listener Node would end the process. The pool drops that client; the next statement opens a new one.
  pool.on("error", (err) => onWarning(`PostgreSQL closed an idle connection (${err.message}); it will be reopened`, err));
  // A connection lost while a client is checked out fails the statement in flight and is then emitted on the client,
  // which pg-pool does not listen to while it is lent out: without this listener that second report ends the process.
  // The statement's own error is what callers see; the pool discards the client when it is released.
  pool.on("connect", (client) => client.on("error", () => {}));
  return new PostgresDialect({ pool });
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.url !== undefined && options.dataDir !== undefined) {
    throw new InvalidArgumentError("dataDir", "must not be set together with url (url selects PostgreSQL)");
  }
  if (options.url !== undefined && !/^postgres(ql)?:\/\//.test(options.url)) {
    throw new InvalidArgumentError("url", `expected a postgres:// or postgresql:// URL, got "${options.url}"`);
  }
  groupAndValidate(options.migrations);
  let lock: DataDirLock | undefined;
  let kysely: Kysely<any>;
  let dialect: "pglite" | "postgres";
  let supervisor: PGliteSupervisor | undefined;
  const health = new DatabaseHealth();
  const onWarning = options.onWarning ?? ((message: string) => process.emitWarning(message, "AloftDatabaseWarning"));
  if (options.url !== undefined) {
    const pgDialect = openPostgres(options.url, options.maxConnections ?? 10, options.connectTimeoutMs ?? 5000, onWarning);
    kysely = new Kysely<any>({ dialect: watchedDialect(pgDialect, health) });
    dialect = "postgres";
  } else {
    if (options.dataDir !== undefined) lock = acquireDataDirLock(options.dataDir);
    try {
      // PGlite runs on a worker thread, started here (never at module load: bundles import this file).
      const dataDir = options.dataDir;
      const open = () => openPGliteWorker(dataDir, options.optimizeWasm ?? false);
      const worker = await open();
      // On a data directory a dead worker is replaced (the data outlives the thread); in memory nothing would be left.
      const pglite =
        dataDir === undefined
          ? worker
          : (supervisor = new PGliteSupervisor(worker, open, {
              died: (err) => onWarning(`the PGlite worker stopped (${err.message}); restarting it on the same data directory`, err),
              restarted: (ms) => onWarning(`the PGlite worker serves again after ${Math.round(ms)} ms`, new Error("PGlite restarted")),
              restartFailed: (err) => onWarning(`restarting the PGlite worker failed (${err.message}); trying again`, err),
            }));
      kysely = new Kysely<any>({ dialect: watchedDialect(new PGliteDialect(pglite), health) });
      dialect = "pglite";
    } catch (err) {
      lock?.release();
      throw err;
    }
  }
  try {
    await migrate(kysely, options.migrations);
  } catch (err) {
    await kysely.destroy();
    lock?.release();
    throw err;
  }
  const maintenance =
    dialect === "pglite" && options.maintenance !== false
      ? startMaintenance(kysely, {
          ...(options.maintenance ?? {}),
          onError: (err) => process.emitWarning(`PGlite maintenance (vacuum/analyze) failed: ${err.message}`, "AloftDatabaseWarning"),
        })
      : undefined;
  let closed = false;
  return {
    dialect,
    kysely,
    typed: <Tables>() => kysely as unknown as Kysely<Tables>,
    migrate: (migrations) => migrate(kysely, migrations),
    health,
    async ping(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StoreFaultError("UNAVAILABLE", "database", `did not answer within ${timeoutMs} ms`, 1000)), timeoutMs);
      });
      try {
        await Promise.race([sql`select 1`.execute(kysely), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    ...(supervisor ? { crashWorker: () => supervisor!.crash() } : {}),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await maintenance?.stop();
        await kysely.destroy();
      } finally {
        lock?.release();
      }
    },
  };
}
