// The round loop. Woken actions are handled one after another; everything they changed is then
// committed in one store transaction, and only after the commit are events sent and waiters told.
// Nothing polls: task results, child completions, timers and signals wake actions directly.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { readProto, type BlobStore as StorageBlobStore } from "@aloft/storage";
import { core } from "@aloft/idl";
import { isTerminal, type AttemptRecord, type ExecutionFailure, type ExecutionRecord, type Phase } from "../model/action.ts";
import type { NodeHandler } from "../nodes/handler.ts";
import type { CommitBatch, EngineStore } from "../store/store.ts";
import type { BlobStore } from "./blob-store.ts";
import type { ExecutionResult, LiveAction, LiveExecution } from "./live.ts";
import { ActionContextImpl } from "./context.ts";
import { Limiter } from "./limiter.ts";
import { classifyFault, type StoreFaultError } from "../db/faults.ts";
import type { EngineServices } from "./services.ts";
import type { TaskPlugin } from "../plugins/plugin.ts";

export interface ExecutorHooks {
  /** Called at every phase change; whatever they emit must wait for `flush` (after the commit). */
  onActionPhase(action: LiveAction, previous: Phase | undefined): void;
  onAttempt(action: LiveAction, attempt: AttemptRecord): void;
  onExecutionPhase(execution: LiveExecution, previous: Phase | undefined): void;
  /** Takes the events emitted so far; the returned function delivers them (after their commit). */
  take(): () => Promise<void>;
}

/** A blob write the next commit waits for; `redo` writes it again after a store fault. */
interface TrackedWrite {
  done: Promise<void>;
  redo: () => Promise<void>;
}

/** Told when the engine pauses on a store fault and when it resumes. */
export interface PauseListener {
  paused(fault: StoreFaultError): void;
  resumed(pausedMs: number): void;
}

/** `p` with its rejection marked handled: failures surface when the batch commits. */
function settled(p: Promise<void>): Promise<void> {
  p.catch(() => {});
  return p;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

interface Batch extends CommitBatch {
  writes: TrackedWrite[];
  afterCommit: Array<() => void>;
  waiters: Array<() => void>;
  deliverEvents: () => Promise<void>;
}

export class Executor {
  readonly actions = new Map<string, LiveAction>();
  readonly executions = new Map<string, LiveExecution>();
  services!: EngineServices;
  #queue = new Set<LiveAction>();
  #dirtyActions = new Set<LiveAction>();
  #dirtyExecutions = new Set<LiveExecution>();
  #attempts: AttemptRecord[] = [];
  #afterCommit: Array<() => void> = [];
  #scheduled = false;
  #running = false;
  #idle: Array<() => void> = [];
  #timers = new Map<LiveAction, NodeJS.Timeout>();
  #deadlines = new Map<LiveAction, NodeJS.Timeout>();
  #aborts: Array<{ execution: LiveExecution; reason: string; phase: Phase }> = [];
  #commitWaiters: Array<() => void> = [];
  #writes: TrackedWrite[] = [];
  #commitTail: Promise<void> = Promise.resolve();
  #committing = false;
  readonly #blobWrites = new Limiter(64);
  #commitRequested = false;
  stopped = false;
  /** Last round's failure (a store error): surfaced to waiters rather than swallowed. */
  fatal: Error | undefined;
  /** The store fault the engine is waiting out (unreachable database, full disk), until a commit or handle succeeds. */
  pausedBy: StoreFaultError | undefined;
  #pausedAt = 0;
  #backoffMs = 0;
  /** No round starts before this time (a backoff after a store fault). */
  #resumeAt = 0;
  #resumeTimer: NodeJS.Timeout | undefined;
  #sleepers = new Set<() => void>();
  pauseListener: PauseListener | undefined;

  constructor(
    readonly store: EngineStore,
    readonly blobs: BlobStore,
    readonly handlerFor: (action: LiveAction) => NodeHandler,
    readonly plugins: readonly TaskPlugin[],
    readonly hooks: ExecutorHooks,
  ) {}

  now(): number {
    return Date.now();
  }

  context(action: LiveAction): ActionContextImpl {
    // Contexts hold nothing but the pair: one per action instead of one per handle.
    return (action.context ??= new ActionContextImpl(this, action)) as ActionContextImpl;
  }

  /** Actions woken and waiting for the next round. */
  get queueDepth(): number {
    return this.#queue.size;
  }

  wake(action: LiveAction): void {
    if (this.stopped) return;
    this.#queue.add(action);
    this.#schedule();
  }

  /** A child reached a terminal phase: its parent reacts to it in the next handle. */
  childChanged(child: LiveAction): void {
    const parent = child.parent;
    if (!parent) return;
    parent.changed.push(child.rec.name);
    this.wake(parent);
  }

  wakeAt(action: LiveAction, time: number): void {
    const existing = this.#timers.get(action);
    if (existing) clearTimeout(existing);
    const delay = Math.max(0, time - this.now());
    const t = setTimeout(() => {
      this.#timers.delete(action);
      this.wake(action);
    }, Math.min(delay, 2 ** 31 - 1));
    this.#timers.set(action, t);
  }

  markDirty(action: LiveAction): void {
    action.rec.updatedAt = this.now();
    this.#dirtyActions.add(action);
  }

  markExecutionDirty(execution: LiveExecution): void {
    execution.rec.updatedAt = this.now();
    this.#dirtyExecutions.add(execution);
  }

  recordAttempt(action: LiveAction, attempt: AttemptRecord): void {
    this.#attempts.push(attempt);
    this.hooks.onAttempt(action, attempt);
  }

  afterCommit(fn: () => void): void {
    this.#afterCommit.push(fn);
  }

  setPhase(action: LiveAction, phase: Phase): void {
    const previous = action.rec.phase;
    if (previous === phase) return;
    action.rec.phase = phase;
    this.markDirty(action);
    this.hooks.onActionPhase(action, previous);
    if (!action.parent && phase === "RUNNING" && action.exec.rec.phase === "QUEUED") {
      action.exec.rec.phase = "RUNNING";
      this.markExecutionDirty(action.exec);
      this.hooks.onExecutionPhase(action.exec, "QUEUED");
    }
    if (isTerminal(phase)) {
      const timer = this.#timers.get(action);
      if (timer) clearTimeout(timer);
      this.#timers.delete(action);
      const deadline = this.#deadlines.get(action);
      if (deadline) clearTimeout(deadline);
      this.#deadlines.delete(action);
      // A finished action stays in memory until its execution ends; what it only needed while running goes now,
      // so a long chain's inputs and handler state die young instead of filling the old generation.
      if (action.parent) {
        action.inputs = undefined;
        action.scratch = {};
        action.context = undefined;
      }
      if (action.parent) this.childChanged(action);
      else this.#finishExecution(action);
    }
  }

  #finishExecution(root: LiveAction): void {
    const exec = root.exec;
    const previous = exec.rec.phase;
    exec.rec.phase = root.rec.phase;
    exec.rec.outputsUri = root.rec.outputsUri;
    exec.rec.outputs = root.rec.outputs;
    exec.rec.error = root.rec.error;
    this.markExecutionDirty(exec);
    if (exec.timer) clearTimeout(exec.timer);
    this.hooks.onExecutionPhase(exec, previous);
    this.#afterCommit.push(() => {
      const result: ExecutionResult = { phase: exec.rec.phase };
      if (root.outputs) result.outputs = root.outputs;
      if (exec.rec.error) result.error = exec.rec.error;
      for (const w of exec.waiters.splice(0)) w(result);
      // Drop finished executions from memory; their records stay in the store.
      for (const a of exec.members) this.actions.delete(a.key);
      this.executions.delete(exec.rec.key);
      if (exec.rec.parentAction) {
        const parent = this.actions.get(exec.rec.parentAction);
        if (parent) this.wake(parent);
      }
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    const wait = this.#resumeAt - Date.now();
    if (wait > 0) {
      this.#resumeTimer = setTimeout(() => {
        this.#resumeTimer = undefined;
        void this.#round();
      }, wait);
    } else setImmediate(() => void this.#round());
  }

  /**
   * A store fault (database unreachable, disk full) pauses the engine instead of failing anything: rounds and
   * commits wait a backoff that doubles to 5 s, and everything resumes, in order, once the store answers again.
   */
  #pause(fault: StoreFaultError): void {
    this.#backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, this.#backoffMs * 2));
    this.#resumeAt = Date.now() + this.#backoffMs;
    if (!this.pausedBy) {
      this.#pausedAt = Date.now();
      this.pausedBy = fault;
      this.pauseListener?.paused(fault);
    } else this.pausedBy = fault;
  }

  #resume(): void {
    this.#backoffMs = 0;
    this.#resumeAt = 0;
    if (!this.pausedBy) return;
    this.pausedBy = undefined;
    this.pauseListener?.resumed(Date.now() - this.#pausedAt);
  }

  /** Waits until the backoff ends (or the engine stops). */
  #sleepUntilResume(): Promise<void> {
    const wait = this.#resumeAt - Date.now();
    if (wait <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.#sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, wait);
      this.#sleepers.add(done);
    });
  }

  async #round(): Promise<void> {
    this.#scheduled = false;
    this.#running = true;
    try {
      for (const req of this.#aborts.splice(0)) await this.#abortExecution(req.execution, req.reason, req.phase);
      // Handle until quiet: actions woken by this round's handling join the same commit. The queue is consumed in
      // place (a Set iterates entries added meanwhile, in order): no batch array or fresh table per handle.
      let guard = 0;
      for (const action of this.#queue) {
        this.#queue.delete(action);
        const fault = await this.#handle(action);
        if (fault) {
          // The store is away: the action is handled again after the backoff, from the same state.
          this.#queue.add(action);
          this.#pause(fault);
          break;
        }
        // A bounded round, so a workflow that never settles still commits.
        if (++guard >= 10_000) break;
      }
      this.#requestCommit();
    } catch (err) {
      this.#die(err);
    } finally {
      this.#running = false;
    }
    if (this.#hasPending()) this.#schedule();
    else for (const f of this.#idle.splice(0)) f();
  }

  /**
   * Group commit behind the rounds: the next round (e.g. the next node of a chain, already known in
   * memory) proceeds while a batch is written, and every round finished meanwhile joins the next
   * batch. Batches commit strictly in order, so the store never records a node as finished before
   * the nodes it depended on.
   */
  #requestCommit(): void {
    if (this.#committing) {
      this.#commitRequested = true;
      return;
    }
    this.#committing = true;
    const batch = this.#takeBatch();
    this.#commitTail = this.#commitBatch(batch).finally(() => {
      this.#committing = false;
      if (this.#commitRequested) {
        this.#commitRequested = false;
        this.#requestCommit();
      } else if (!this.#running && !this.#scheduled) for (const f of this.#idle.splice(0)) f();
    });
  }

  #die(err: unknown): void {
    this.fatal = err as Error;
    for (const exec of this.executions.values()) {
      for (const w of exec.waiters.splice(0)) w({ phase: "FAILED", error: { kind: "SYSTEM", code: "EngineFailure", message: String(err) } });
    }
    this.stopped = true;
  }

  /** Aborts (or times out) a whole execution in the next round. */
  requestAbort(execution: LiveExecution, reason: string, phase: Phase = "ABORTED"): void {
    this.#aborts.push({ execution, reason, phase });
    this.#schedule();
  }

  async #abortExecution(exec: LiveExecution, reason: string, phase: Phase): Promise<void> {
    const root = exec.root;
    if (isTerminal(root.rec.phase)) return;
    const ctx = this.context(root);
    await this.handlerFor(root).abort(ctx, reason);
    exec.rec.options = { ...exec.rec.options, abortReason: reason };
    ctx.fail({ kind: "USER", code: phase === "TIMED_OUT" ? "ExecutionTimedOut" : "Aborted", message: reason }, phase);
  }

  /** Resolves after the next commit (or at once when nothing is pending). */
  committed(): Promise<void> {
    return new Promise((r) => {
      this.#commitWaiters.push(r);
      this.#schedule();
    });
  }

  /** Flyte's node timeout (NodeMetadata.timeout): the node's whole run, across retries. */
  nodeDeadline(action: LiveAction): number | undefined {
    const node = action.spec.kind === "node" ? action.spec.node : undefined;
    const t = node?.metadata?.timeout;
    if (!t || action.rec.startedAt === null) return undefined;
    const ms = Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6);
    return ms > 0 ? action.rec.startedAt + ms : undefined;
  }

  armDeadline(action: LiveAction): void {
    const deadline = this.nodeDeadline(action);
    if (deadline === undefined || this.#deadlines.has(action)) return;
    const t = setTimeout(() => {
      this.#deadlines.delete(action);
      this.wake(action);
    }, Math.max(0, deadline - this.now()));
    this.#deadlines.set(action, t);
  }

  /** Handles one action; returns the store fault that interrupted it, if one did (the action is then unchanged). */
  async #handle(action: LiveAction): Promise<StoreFaultError | undefined> {
    if (isTerminal(action.rec.phase) || this.stopped) return undefined;
    const ctx = this.context(action);
    const deadline = this.nodeDeadline(action);
    if (deadline !== undefined && this.now() >= deadline) {
      await this.handlerFor(action).abort(ctx, "node timed out");
      ctx.fail({ kind: "USER", code: "NodeTimedOut", message: `node ${action.rec.name} exceeded its timeout`, failedNodeId: action.rec.name }, "TIMED_OUT");
      return;
    }
    try {
      await this.handlerFor(action).handle(ctx);
    } catch (err) {
      const fault = classifyFault(err, "database");
      if (fault && !isTerminal(action.rec.phase)) return fault;
      // A handler error is a failure of this action (bad spec, unreadable data), never a crash.
      const e = err as Error & { code?: string };
      if (!isTerminal(action.rec.phase)) {
        ctx.fail({ kind: "SYSTEM", code: e.code ?? "HandlerError", message: e.message, failedNodeId: action.rec.name });
      }
    }
    action.changed.length = 0;
    return undefined;
  }

  /** Everything changed since the last batch: records (copied now), writes, callbacks, events. */
  #takeBatch(): Batch {
    const batch = {
      executions: [...this.#dirtyExecutions].map((e) => ({ ...e.rec })),
      actions: [...this.#dirtyActions].map((a) => ({ ...a.rec })),
      attempts: this.#attempts,
      writes: this.#writes,
      afterCommit: this.#afterCommit,
      waiters: this.#commitWaiters,
      deliverEvents: this.hooks.take(),
    };
    this.#dirtyActions.clear();
    this.#dirtyExecutions.clear();
    this.#attempts = [];
    this.#writes = [];
    this.#afterCommit = [];
    this.#commitWaiters = [];
    return batch;
  }

  async #commitBatch(batch: Batch): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.fatal || this.stopped) return;
      let store = "blob store";
      try {
        // Payloads first: a record pointing at outputs.pb is only committed once the blob is written.
        if (batch.writes.length) await Promise.all(batch.writes.map((w) => w.done));
        store = "database";
        if (batch.executions.length || batch.actions.length || batch.attempts.length) {
          await this.store.commit({ executions: batch.executions, actions: batch.actions, attempts: batch.attempts });
        }
        this.#resume();
        break;
      } catch (err) {
        const fault = classifyFault(err, store);
        if (!fault) {
          this.#die(err);
          return;
        }
        // The same batch again after the backoff (writes are whole-blob puts and the commit upserts: both idempotent).
        // A write started while the store was away and failed then is first tried again at once: the store may be
        // back (another batch's retry found it so), and that is no new pause.
        if (!(attempt === 0 && store === "blob store")) {
          this.#pause(fault);
          await this.#sleepUntilResume();
        }
        for (const w of batch.writes) w.done = settled(w.redo());
      }
    }
    for (const f of batch.afterCommit) f();
    for (const w of batch.waiters) w();
    await batch.deliverEvents();
    // Rounds held back by the backoff may go now.
    if (this.#queue.size > 0) this.#schedule();
  }

  /** A blob write the next commit must wait for (handlers do not wait for it themselves); `write` may run again. */
  trackWrite(write: () => Promise<void>): void {
    this.#writes.push({ done: settled(write()), redo: write });
  }

  #hasPending(): boolean {
    if (this.#queue.size > 0 || this.#aborts.length > 0) return true;
    // Uncommitted changes need a round only when no commit is in flight; otherwise they join the
    // batch that follows it (see #requestCommit).
    const uncommitted = this.#commitWaiters.length > 0 || this.#dirtyActions.size > 0 || this.#dirtyExecutions.size > 0;
    if (uncommitted && this.#committing) this.#commitRequested = true;
    return uncommitted && !this.#committing;
  }

  /** Resolves when no round is running or queued and every batch is committed. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.#running || this.#scheduled || (this.#hasPending() && !this.stopped)) {
        await new Promise<void>((r) => this.#idle.push(r));
        continue;
      }
      const tail = this.#commitTail;
      await tail;
      if (tail === this.#commitTail && !this.#committing && !this.#commitRequested && !this.#running && !this.#scheduled) return;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.#resumeTimer) clearTimeout(this.#resumeTimer);
    for (const wake of [...this.#sleepers]) wake();
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    for (const t of this.#deadlines.values()) clearTimeout(t);
    this.#deadlines.clear();
    for (const e of this.executions.values()) if (e.timer) clearTimeout(e.timer);
  }

  /** An execution's inputs, from its record when they are kept inline, else from their blob. */
  async executionInputs(rec: ExecutionRecord): Promise<core.LiteralMap> {
    return rec.inputs ? fromBinary(core.LiteralMapSchema, rec.inputs) : this.readLiteralMap(rec.inputsUri);
  }

  async readLiteralMap(uri: string): Promise<core.LiteralMap> {
    return readProto(this.blobs as StorageBlobStore, uri, core.LiteralMapSchema);
  }

  async writeLiteralMap(uri: string, map: core.LiteralMap): Promise<void> {
    await this.writeBytes(uri, toBinary(core.LiteralMapSchema, map));
  }

  async writeBytes(uri: string, bytes: Uint8Array): Promise<void> {
    await this.#blobWrites.run(() => this.blobs.put(uri, bytes));
  }

  failure(kind: ExecutionFailure["kind"], code: string, message: string, failedNodeId?: string): ExecutionFailure {
    return failedNodeId === undefined ? { kind, code, message } : { kind, code, message, failedNodeId };
  }
}
