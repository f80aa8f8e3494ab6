// PGlite's worker thread restarted when it dies (a WASM trap, an out-of-memory abort, a terminated thread). The data
// directory survives the thread: a new worker opens it, PostgreSQL replays its WAL, and every commit acknowledged
// before the death is there. Meanwhile statements fail at once with a StoreFaultError (UNAVAILABLE, the database is
// restarting), which the engine waits out as it waits out an unreachable PostgreSQL, and which clients see as
// UNAVAILABLE with a retry hint. A statement in flight when the worker died may or may not have committed; the
// engine's writes are upserts of whole records, so redoing them is safe.
import { StoreFaultError } from "./faults.ts";
import type { PGliteClient, PGliteWorker } from "./pglite-dialect.ts";

export interface SupervisorEvents {
  /** The worker died; a new one is being started. */
  died?(err: Error): void;
  /** A new worker serves again, `ms` after the death, on its `restarts`-th restart. */
  restarted?(ms: number, restarts: number): void;
  /** Starting a new worker failed; another try follows after a backoff. */
  restartFailed?(err: Error): void;
}

const FIRST_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 5000;

export class PGliteSupervisor implements PGliteClient {
  #current: PGliteWorker | undefined;
  #death: Error | undefined;
  #closed = false;
  #restarting: Promise<void> | undefined;
  /** Restarts so far (metrics, tests). */
  restarts = 0;

  constructor(
    worker: PGliteWorker,
    private readonly open: () => Promise<PGliteWorker>,
    private readonly events: SupervisorEvents = {},
  ) {
    this.#adopt(worker);
  }

  #adopt(worker: PGliteWorker): void {
    this.#current = worker;
    this.#death = undefined;
    worker.onDeath = (err) => this.#died(worker, err);
  }

  #died(worker: PGliteWorker, err: Error): void {
    if (this.#closed || worker !== this.#current) return;
    this.#current = undefined;
    this.#death = err;
    this.events.died?.(err);
    this.#restarting = this.#restart(performance.now());
  }

  async #restart(diedAt: number): Promise<void> {
    let backoff = FIRST_BACKOFF_MS;
    while (!this.#closed) {
      try {
        const worker = await this.open();
        if (this.#closed) {
          await worker.close();
          return;
        }
        this.restarts++;
        this.#adopt(worker);
        this.events.restarted?.(performance.now() - diedAt, this.restarts);
        return;
      } catch (err) {
        this.events.restartFailed?.(err as Error);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  #unavailable(cause: unknown): StoreFaultError {
    return new StoreFaultError("UNAVAILABLE", "database", "is restarting (its PGlite worker stopped)", 1000, { cause });
  }

  async query<R>(sql: string, params: readonly unknown[], read = false): Promise<{ rows: R[]; affectedRows?: number }> {
    const worker = this.#current;
    if (!worker) {
      if (this.#closed) throw new Error("the PGlite database is closed");
      throw this.#unavailable(this.#death);
    }
    try {
      return await worker.query<R>(sql, params, read);
    } catch (err) {
      // The worker died under this statement (its own errors, e.g. a constraint, leave it alive).
      if (!worker.alive && !this.#closed) throw this.#unavailable(err);
      throw err;
    }
  }

  /** Resolves once a worker serves (at once when one does); for tests and start-up checks. */
  async serving(): Promise<void> {
    while (!this.#current && !this.#closed) await this.#restarting;
  }

  /** Ends the current worker's thread as a crash would (tests, fault drills); a new one is started. */
  async crash(): Promise<void> {
    await this.#current?.terminate();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#restarting;
    await this.#current?.close();
  }
}
