// A warm pool of worker threads for TypeScript tasks: each worker imports the runtime module once,
// and tasks are dispatched to the least busy worker by message (no process or thread per task).
// Aborting a task terminates its worker (the only way to stop running JavaScript) and starts a new one.
import { Worker, type ResourceLimits } from "node:worker_threads";
import { availableParallelism } from "node:os";
import type { ChildActions } from "./plugin.ts";
import type { RuntimeReply, WorkerReply, WorkerRequest } from "./typescript-worker.ts";
import { serveCall, type CallMessage } from "./worker-calls.ts";

export type PoolRequest = Omit<WorkerRequest, "id" | "calls">;

export type PoolReply = RuntimeReply;

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  inflight: Map<number, (r: PoolReply) => void>;
  /** Child actions of in-flight requests that may call tasks. */
  calls: Map<number, () => ChildActions>;
  retired: boolean;
  /** The worker reported ready (saves awaiting `ready` on every task). */
  started: boolean;
}

const BOOTSTRAP = new URL("./worker-bootstrap.mjs", import.meta.url);
const ENTRY = new URL("./typescript-worker.ts", import.meta.url).href;
/**
 * V8 limits of each task worker by default. With V8's default young generation a worker's heap grew
 * to ~32 MiB on the map benchmark and stayed there; 16 MiB kept it at 18-29 MiB.
 */
export const DEFAULT_TASK_RESOURCE_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 16 };

export class WorkerPool {
  readonly #slots: Slot[] = [];
  #nextId = 1;
  #closed = false;

  constructor(
    readonly runtime: string,
    readonly size = Math.max(1, availableParallelism()),
    readonly resourceLimits: ResourceLimits = DEFAULT_TASK_RESOURCE_LIMITS,
    /** The workers' process.env; default a copy of this process's. */
    readonly env?: Readonly<Record<string, string>>,
  ) {
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn());
  }

  #spawn(): Slot {
    const worker = new Worker(BOOTSTRAP, { workerData: { entry: ENTRY, runtime: this.runtime }, resourceLimits: this.resourceLimits, ...(this.env ? { env: { ...this.env } } : {}) });
    const inflight = new Map<number, (r: PoolReply) => void>();
    const slot: Slot = { worker, inflight, calls: new Map(), ready: Promise.resolve(), retired: false, started: false };
    slot.ready = new Promise<void>((resolve, reject) => {
      worker.once("message", () => {
        if (inflight.size === 0) worker.unref();
        slot.started = true;
        resolve();
      });
      worker.once("error", reject);
    });
    slot.ready.catch(() => {});
    worker.on("message", (m: WorkerReply | CallMessage | { ready: true }) => {
      if ("ready" in m) return;
      if ("op" in m) {
        serveCall(worker, m, slot.calls.get(m.id)?.());
        return;
      }
      slot.calls.delete(m.id);
      const done = inflight.get(m.id);
      inflight.delete(m.id);
      if (inflight.size === 0) worker.unref();
      // The reply's extra `id` field is harmless to its reader: no copy without it.
      done?.(m);
    });
    worker.on("error", (err) => this.#failAll(slot, `worker failed: ${err.message}`));
    worker.on("exit", (code) => {
      this.#failAll(slot, `worker exited with code ${code}`);
      if (!this.#closed) this.#retire(slot);
    });
    return slot;
  }

  #failAll(slot: Slot, message: string) {
    for (const [, done] of slot.inflight) done({ error: { kind: "SYSTEM", code: "WorkerLost", message } });
    slot.inflight.clear();
    slot.calls.clear();
  }

  /** Takes a worker out of rotation at once (no new task may reach it) and starts its replacement. */
  #retire(slot: Slot) {
    if (slot.retired) return;
    slot.retired = true;
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots[i] = this.#spawn();
  }

  /** `abort`: an AbortSignal, or a function registering a callback run if the task is aborted. */
  /** `calls`: the attempt's child actions, for tasks that call tasks (made only if the task calls one). */
  async run(request: PoolRequest, abort?: AbortSignal | ((fn: () => void) => void), calls?: () => ChildActions): Promise<PoolReply> {
    if (this.#closed) return { error: { kind: "SYSTEM", code: "PoolClosed", message: "the worker pool is closed" } };
    let slot = this.#slots[0]!;
    for (const s of this.#slots) if (s.inflight.size < slot.inflight.size) slot = s;
    if (!slot.started) {
      try {
        await slot.ready;
      } catch (err) {
        return { error: { kind: "SYSTEM", code: "WorkerStartFailed", message: (err as Error).message } };
      }
    }
    const id = this.#nextId++;
    return new Promise<PoolReply>((resolve) => {
      slot.inflight.set(id, resolve);
      if (calls) slot.calls.set(id, calls);
      // A busy worker keeps the process alive (someone awaits its result); an idle one does not.
      slot.worker.ref();
      const onAbort = () => {
        if (!slot.inflight.has(id)) return;
        slot.inflight.delete(id);
        slot.calls.delete(id);
        resolve({ error: { kind: "SYSTEM", code: "Aborted", message: "task aborted" } });
        // Stop the running JavaScript; its other tasks fail as WorkerLost (system errors, retried).
        this.#retire(slot);
        void slot.worker.terminate();
      };
      if (typeof abort === "function") abort(onAbort);
      else abort?.addEventListener("abort", onAbort);
      const message: WorkerRequest = calls ? { id, ...request, calls: true } : { id, ...request };
      slot.worker.postMessage(message);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
