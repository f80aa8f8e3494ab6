// A Kysely dialect over PGlite running in a worker thread (pglite-worker.mjs). Kysely ships a PGlite
// dialect, but it hands the single PGlite connection to every caller at once, so two concurrent
// transactions (the engine's round and a server request) would interleave their statements. Here
// the connection is lent to one borrower at a time, which gives the same isolation the pg pool gives
// on PostgreSQL. PGlite's WASM execution and its JS glue run on the worker's thread, so the engine
// and server keep the main thread while a query runs.
import { Worker } from "node:worker_threads";
import { setFlagsFromString } from "node:v8";
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import pg from "pg";

/** An error as pglite-worker.mjs sends it: PostgreSQL's fields, when it came from PostgreSQL. */
interface SerializedError {
  name?: string;
  message: string;
  stack?: string;
  database?: boolean;
  [field: string]: unknown;
}

type Reply = { id: number; rows: unknown[]; affectedRows?: number } | { id: number; error: SerializedError };

export interface PGliteWorkerOptions {
  /** PGlite data directory; absent: in memory. */
  dataDir?: string;
  /** A cluster tar (PGlite's dumpDataDir) to start from instead of running initdb. */
  loadDataDir?: Uint8Array;
  /** `loadDataDir` is gzipped. */
  gzipped?: boolean;
  /** Extra postgres command-line arguments after PGlite's defaults (`-c name=value`). */
  startParams?: string[];
  /** Let V8 optimize PGlite's hot WASM functions (see baselineWasmWhileCompiling). */
  optimizeWasm?: boolean;
}

/** What the dialect needs of PGlite: one worker (PGliteWorker), or one that is restarted when it dies (pglite-supervisor.ts). */
export interface PGliteClient {
  /** `read`: a single read-only statement outside any transaction, which the worker may run ahead of queued writes. */
  query<R>(sql: string, params: readonly unknown[], read?: boolean): Promise<{ rows: R[]; affectedRows?: number }>;
  close(): Promise<void>;
}

const workerUrl = () => new URL("./pglite-worker.mjs", import.meta.url);

/** Young generation of the PGlite thread (MiB); see PGliteWorker.start. */
const PGLITE_YOUNG_GENERATION_MB = 8;

/** PGlite starts in progress; V8 compiles new WebAssembly with Liftoff only while one is. */
let compiling = 0;
const userSetLiftoff = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].some((a) => /^--(no-)?liftoff/.test(a));

/**
 * PGlite's WASM is compiled by V8's baseline compiler only (the flag is read when a module is
 * compiled, so it is set for the start and cleared after: WebAssembly compiled later, e.g. in a
 * task, is optimized as usual). Optimizing PGlite's hot functions took ~50 MiB of short-lived
 * malloc memory that stayed resident in the compile threads' arenas (~450 MiB peak instead of
 * ~500 on the 10,000-item map) and measured no faster on the engine benchmarks; but statement-heavy
 * work (the control plane's throughput benchmark) spent ~20% more PGlite CPU per execution, so a
 * long-running server opts into optimization (`optimizeWasm`).
 */
function baselineWasmWhileCompiling(): () => void {
  if (userSetLiftoff) return () => {};
  if (compiling++ === 0) setFlagsFromString("--liftoff-only");
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--compiling === 0) setFlagsFromString("--no-liftoff-only");
  };
}

/**
 * Rebuilds an error from the worker. PostgreSQL's own errors become the same `pg.DatabaseError`
 * node-postgres throws (message, code SQLSTATE, detail, constraint, table…), so callers see one
 * error shape on both dialects. Built in the caller's async context, so its stack names the caller.
 */
export function rebuildError(e: SerializedError, sql?: string, params?: readonly unknown[]): Error {
  if (e.database) {
    const { database: _database, stack: _stack, name, message, length, ...fields } = e;
    const err = new pg.DatabaseError(message, Number(length ?? 0), (name ?? "error") as "error");
    Object.assign(err, fields);
    if (sql !== undefined) Object.assign(err, { query: sql, params });
    return err;
  }
  const err = new Error(e.message);
  if (e.name && e.name !== "Error") err.name = e.name;
  return err;
}

/** The main side of pglite-worker.mjs: one PGlite instance on its own thread. */
export class PGliteWorker implements PGliteClient {
  readonly #worker: Worker;
  /** Told once when the worker stops serving by itself (it crashed, ran out of memory, hit a WASM trap); not on close(). */
  onDeath: ((err: Error) => void) | undefined;
  readonly #pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  /** Why the worker can no longer serve (it died, or was closed); every query after fails with it. */
  #failure: Error | undefined;
  #closing: Promise<void> | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on("message", (msg: Reply | { fatal: SerializedError }) => {
      if ("fatal" in msg) {
        this.#fail(new Error(`PGlite worker stopped after a fatal error: ${msg.fatal.message}`));
        return;
      }
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (this.#pending.size === 0) worker.unref();
      p.resolve(msg);
    });
    worker.on("error", (err) => this.#fail(new Error(`PGlite worker failed: ${err.message}`, { cause: err })));
    worker.on("messageerror", (err) => {
      this.#fail(new Error(`PGlite worker sent a reply that could not be read: ${err.message}`, { cause: err }));
      void worker.terminate();
    });
    worker.on("exit", (code) => this.#fail(new Error(`PGlite worker exited unexpectedly (exit code ${code})`)));
  }

  /** Starts the worker and waits until PGlite is open in it. */
  static start(options: PGliteWorkerOptions): Promise<PGliteWorker> {
    const restore = options.optimizeWasm ? () => {} : baselineWasmWhileCompiling();
    const started = PGliteWorker.#start(options);
    void started.then(restore, restore);
    return started;
  }

  static #start(options: PGliteWorkerOptions): Promise<PGliteWorker> {
    return new Promise((resolve, reject) => {
      // execArgv: the worker is plain JavaScript, so the parent's loaders (tsx) are not needed there.
      // A small young generation: the thread's garbage is short-lived query replies, and with V8's
      // default its heap grew to ~47 MiB (32 of it new space) on the map benchmark; 8 MiB: ~26.
      const worker = new Worker(workerUrl(), { workerData: options, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: PGLITE_YOUNG_GENERATION_MB } });
      const onMessage = (msg: { ready?: boolean; startError?: SerializedError }) => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        if (msg.ready) {
          const client = new PGliteWorker(worker);
          // Idle, the worker does not keep the process alive (as in-process PGlite did not).
          worker.unref();
          resolve(client);
        } else {
          void worker.terminate();
          reject(rebuildError(msg.startError ?? { message: "unexpected message from the PGlite worker" }));
        }
      };
      const onError = (err: Error) => {
        worker.off("exit", onExit);
        void worker.terminate();
        reject(new Error(`PGlite worker failed while opening the database: ${err.message}`, { cause: err }));
      };
      const onExit = (code: number) => reject(new Error(`PGlite worker exited (code ${code}) while opening the database`));
      worker.on("message", onMessage);
      worker.once("error", onError);
      worker.once("exit", onExit);
    });
  }

  #fail(err: Error): void {
    if (!this.#failure && !this.#closing) this.onDeath?.(err);
    this.#failure ??= err;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(this.#failure);
  }

  #send(message: object): Promise<Reply> {
    if (this.#failure) return Promise.reject(new Error(this.#failure.message, { cause: this.#failure }));
    const id = this.#nextId++;
    return new Promise<Reply>((resolve, reject) => {
      try {
        this.#worker.postMessage({ id, ...message });
      } catch (err) {
        // A parameter the structured clone cannot carry (a function, a symbol).
        reject(new Error(`cannot pass the query to the PGlite worker: ${(err as Error).message}`, { cause: err }));
        return;
      }
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
    });
  }

  async query<R>(sql: string, params: readonly unknown[], read = false): Promise<{ rows: R[]; affectedRows?: number }> {
    const reply = await this.#send(read ? { sql, params: params.map(compactParam), read } : { sql, params: params.map(compactParam) });
    if ("error" in reply) throw rebuildError(reply.error, sql, params);
    return reply as { rows: R[]; affectedRows?: number };
  }

  /** Closes PGlite (a clean shutdown), then ends the thread. Queries after fail as closed. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      let closeError: Error | undefined;
      if (!this.#failure) {
        const reply = await this.#send({ close: true }).catch((e: Error) => ({ id: 0, error: { message: e.message } }));
        if ("error" in reply) closeError = rebuildError(reply.error);
      }
      this.#failure ??= new Error("the PGlite database is closed");
      await this.#worker.terminate();
      if (closeError) throw closeError;
    })();
    return this.#closing;
  }

  /** False once the worker has died or was closed. */
  get alive(): boolean {
    return this.#failure === undefined;
  }

  /** Ends the thread at once, as a crash would (tests). */
  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }
}

/**
 * A view of a larger buffer is cloned with its whole ArrayBuffer (a pooled Buffer drags 8 KiB along,
 * a subarray all of its parent): send only the viewed bytes. The caller's buffer is copied, never
 * transferred, since the caller may still use it.
 */
function compactParam(p: unknown): unknown {
  if (p instanceof Uint8Array && p.byteLength !== p.buffer.byteLength) return p.slice();
  return p;
}

/**
 * Whether a connection takes a statement while an earlier one is still running, and runs them in order (PGlite's
 * worker queues them). node-postgres deprecates that, so on PostgreSQL statements go one at a time.
 */
export function acceptsPipelinedStatements(conn: DatabaseConnection): boolean {
  return conn instanceof PGliteConnection;
}

/**
 * A plain SELECT (no CTE, no FOR UPDATE/SHARE): it writes nothing, so it may run outside the connection's lock, as a
 * statement of its own pool connection would on PostgreSQL.
 */
function isPlainRead(query: CompiledQuery): boolean {
  const node = query.query as { kind: string; with?: unknown; endModifiers?: readonly unknown[] };
  return node.kind === "SelectQueryNode" && node.with === undefined && (node.endModifiers?.length ?? 0) === 0 && !SIDE_EFFECTS.test(query.sql);
}
// Functions that change state or answer differently per call: a select calling one is not joined with another asker's.
const SIDE_EFFECTS = /\b(nextval|setval|pg_advisory\w*|pg_try_advisory\w*|random|gen_random_uuid|clock_timestamp|pg_sleep\w*|pg_notify|set_config)\s*\(/i;

/**
 * One borrowing of the single PGlite session. Reads borrowed on their own skip the lock and go ahead of queued writes
 * (the worker runs them only where no transaction is open). The first statement that is not such a read, or a
 * transaction, takes the lock, and every later statement of the borrowing follows it in order.
 */
class PGliteConnection implements DatabaseConnection {
  #locking: Promise<void> | undefined;
  constructor(
    private readonly pg: PGliteClient,
    private readonly mutex: Mutex,
  ) {}

  lock(): Promise<void> {
    return (this.#locking ??= this.mutex.lock());
  }

  /** Releases the lock if this borrowing took it; the connection can be lent again. */
  release(): void {
    if (this.#locking === undefined) return;
    this.#locking = undefined;
    this.mutex.unlock();
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const read = this.#locking === undefined && isPlainRead(query);
    if (!read) await this.lock();
    const result = await this.pg.query<R>(query.sql, query.parameters, read);
    return result.affectedRows === undefined
      ? { rows: result.rows }
      : { rows: result.rows, numAffectedRows: BigInt(result.affectedRows) };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming queries are not supported on PGlite");
  }
}

/** FIFO lock: the next waiter gets the connection in request order. */
class Mutex {
  #locked = false;
  readonly #waiters: Array<() => void> = [];
  async lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
  unlock(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#locked = false;
  }
}

class PGliteDriver implements Driver {
  readonly #mutex = new Mutex();
  /** Connections not lent out (one per concurrent borrowing; kept, since the health wrapper patches each once). */
  readonly #free: PGliteConnection[] = [];
  constructor(private readonly pg: PGliteClient) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#free.pop() ?? new PGliteConnection(this.pg, this.#mutex);
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const c = connection as PGliteConnection;
    c.release();
    if (this.#free.length < FREE_CONNECTIONS_MAX) this.#free.push(c);
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : "";
    await (connection as PGliteConnection).lock();
    await connection.executeQuery(CompiledQuery.raw(`begin${isolation}`));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }
  async destroy(): Promise<void> {
    await this.pg.close();
  }
}

/** Idle connection objects kept for reuse. */
const FREE_CONNECTIONS_MAX = 64;

export class PGliteDialect implements Dialect {
  constructor(private readonly pg: PGliteClient) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pg);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}
