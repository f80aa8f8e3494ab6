// The database as its users see it: reachable or not, the last fault, and the time every statement takes. Kept by
// a wrapper around the dialect's driver (one seam for PGlite and PostgreSQL), so every query of every package is
// counted and every connection fault becomes a StoreFaultError naming the database.
import type { DatabaseConnection, Dialect, Driver, QueryResult, TransactionSettings, CompiledQuery } from "kysely";
import { classifyFault, type StoreFaultError } from "./faults.ts";

/** Called once per statement with its duration in milliseconds, and whether it failed. */
export type QueryObserver = (durationMs: number, failed: boolean) => void;

export class DatabaseHealth {
  /** False from a fault that makes the database unreachable until a statement succeeds again. */
  reachable = true;
  /** The last store fault, until a statement succeeds. */
  lastFault: StoreFaultError | undefined;
  readonly #observers = new Set<QueryObserver>();
  readonly #changes = new Set<(reachable: boolean, fault: StoreFaultError | undefined) => void>();

  observe(observer: QueryObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /** Called when the database becomes unreachable or reachable again. */
  onChange(listener: (reachable: boolean, fault: StoreFaultError | undefined) => void): () => void {
    this.#changes.add(listener);
    return () => this.#changes.delete(listener);
  }

  succeeded(ms: number): void {
    for (const o of this.#observers) o(ms, false);
    this.lastFault = undefined;
    if (!this.reachable) {
      this.reachable = true;
      for (const l of this.#changes) l(true, undefined);
    }
  }

  failed(ms: number, fault: StoreFaultError | undefined): void {
    for (const o of this.#observers) o(ms, true);
    if (!fault) return;
    this.lastFault = fault;
    if (fault.code === "UNAVAILABLE" && this.reachable) {
      this.reachable = false;
      for (const l of this.#changes) l(false, fault);
    }
  }
}

const STORE = "database";

function translate(err: unknown, health: DatabaseHealth, started: number): unknown {
  const fault = classifyFault(err, STORE);
  health.failed(performance.now() - started, fault);
  return fault ?? err;
}

async function guard<T>(health: DatabaseHealth, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } catch (err) {
    throw translate(err, health, started);
  }
}

const patched = new WeakSet<DatabaseConnection>();

/** Counts each statement of `connection` and translates its faults (patched in place: drivers keep private state). */
function watch(connection: DatabaseConnection, health: DatabaseHealth): DatabaseConnection {
  if (patched.has(connection)) return connection;
  patched.add(connection);
  const execute = connection.executeQuery.bind(connection);
  connection.executeQuery = async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
    const started = performance.now();
    try {
      const result = await execute<R>(query);
      health.succeeded(performance.now() - started);
      return result;
    } catch (err) {
      throw translate(err, health, started);
    }
  };
  const stream = connection.streamQuery.bind(connection);
  connection.streamQuery = async function* <R>(query: CompiledQuery, chunkSize: number) {
    const started = performance.now();
    try {
      yield* stream<R>(query, chunkSize);
      health.succeeded(performance.now() - started);
    } catch (err) {
      throw translate(err, health, started);
    }
  };
  return connection;
}

class WatchedDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly health: DatabaseHealth,
  ) {}
  init(): Promise<void> {
    return guard(this.health, () => this.inner.init());
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    return watch(await guard(this.health, () => this.inner.acquireConnection()), this.health);
  }
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }
  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection);
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** `inner` with every statement counted into `health` and every connection fault a StoreFaultError. */
export function watchedDialect(inner: Dialect, health: DatabaseHealth): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createDriver: () => {
      const driver = inner.createDriver();
      const watched = new WatchedDriver(driver, health) as WatchedDriver & Pick<Driver, "savepoint" | "rollbackToSavepoint" | "releaseSavepoint">;
      // Savepoints run through the connection (already watched); pass them on only where the driver has them.
      if (driver.savepoint) watched.savepoint = driver.savepoint.bind(driver);
      if (driver.rollbackToSavepoint) watched.rollbackToSavepoint = driver.rollbackToSavepoint.bind(driver);
      if (driver.releaseSavepoint) watched.releaseSavepoint = driver.releaseSavepoint.bind(driver);
      return watched;
    },
  };
}
