// The engine's public face: create executions (idempotently by id), wait for them, abort them,
// signal gates, and inspect them. Durable when given a Database; in memory for local runs.
import { create, equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import type { Catalog } from "./catalog/catalog.ts";
import type { Database } from "./db/database.ts";
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from "./errors.ts";
import { EventPublisher } from "./events/publisher.ts";
import type { EventSink } from "./events/sink.ts";
import { executionKey, isTerminal, type ActionRecord, type AttemptRecord, type ExecutionOptionsRecord, type ExecutionRecord } from "./model/action.ts";
import { handlerFor } from "./nodes/registry.ts";
import type { TaskPlugin } from "./plugins/plugin.ts";
import type { BlobStore } from "./runtime/blob-store.ts";
import { Executor, type PauseListener } from "./runtime/executor.ts";
import type { StoreFaultError } from "./db/faults.ts";
import { LiveAction, type ExecutionResult, type LiveExecution } from "./runtime/live.ts";
import { loadExecution, newLiveExecution } from "./runtime/load.ts";
import type { EngineServices, EngineSettings, LaunchPlanResolver } from "./runtime/services.ts";
import { MemoryStore } from "./store/memory-store.ts";
import { SqlStore } from "./store/sql-store.ts";
import type { EngineStore } from "./store/store.ts";

export interface EngineOptions {
  /** "memory" for local runs; a Database (PGlite or PostgreSQL) for durable execution. */
  store: "memory" | Database;
  blobStore: BlobStore;
  plugins: readonly TaskPlugin[];
  events?: EventSink;
  launchPlans?: LaunchPlanResolver;
  catalog?: Catalog;
  /** Where inputs.pb / outputs.pb live, e.g. "file:///data/metadata" (default "memory://aloft/metadata"). */
  metadataPrefix?: string;
  rawOutputPrefix?: string;
  /** Default max running task attempts per execution (0 = unlimited). */
  maxParallelism?: number;
  /** Retries for system errors, separate from each task's retry budget (default 3). */
  maxSystemFailures?: number;
  /**
   * Outputs up to this many bytes (encoded) are stored in the action record, not outputs.pb, and execution inputs
   * the caller has not stored in the execution record, not inputs.pb (default 64 KiB).
   */
  inlineOutputsMaxBytes?: number;
  /** Called when an event sink or a background step fails (default: console.error). */
  onError?: (err: unknown) => void;
  /** Told when the engine pauses on a store fault (database unreachable, disk full) and when it resumes. */
  onPause?: PauseListener;
}

export interface ExecutionOptions {
  maxParallelism?: number;
  /** Whole-execution deadline from creation, in milliseconds. */
  timeoutMs?: number;
  overwriteCache?: boolean;
  interruptible?: boolean;
  rawOutputPrefix?: string;
  failurePolicy?: "FAIL_IMMEDIATELY" | "FAIL_AFTER_EXECUTABLE_NODES_COMPLETE";
}

export interface CreateExecutionRequest {
  id: core.WorkflowExecutionIdentifier;
  closure: core.CompiledWorkflowClosure;
  inputs: core.LiteralMap;
  /**
   * Where the caller has already stored `inputs` durably (binary LiteralMap): the engine records this URI
   * instead of writing a copy of its own.
   */
  inputsUri?: string;
  /**
   * The caller holds a unique reservation of this id that no earlier create can have had (the control plane's
   * execution record, inserted just now): no execution with it exists, so the engine skips its existence check, one
   * database round trip. Never set it otherwise: a create of an id that exists would overwrite that execution.
   */
  reserved?: boolean;
  options?: ExecutionOptions;
}

export type { ExecutionResult };

export interface Engine {
  start(): Promise<void>;
  stop(): Promise<void>;
  createExecution(request: CreateExecutionRequest): Promise<ExecutionRecord>;
  wait(id: core.WorkflowExecutionIdentifier): Promise<ExecutionResult>;
  abort(id: core.WorkflowExecutionIdentifier, reason: string): Promise<void>;
  setSignal(id: core.WorkflowExecutionIdentifier, signalId: string, value: core.Literal): Promise<void>;
  approve(id: core.WorkflowExecutionIdentifier, signalId: string, approved: boolean): Promise<void>;
  getExecution(id: core.WorkflowExecutionIdentifier): Promise<ExecutionRecord | undefined>;
  listNodeExecutions(id: core.WorkflowExecutionIdentifier): Promise<ActionRecord[]>;
  listTaskAttempts(id: core.WorkflowExecutionIdentifier): Promise<AttemptRecord[]>;
  /** The store fault the engine is waiting out, if it is paused (a commit, or the delivery of events it waits for). */
  readonly pausedBy: StoreFaultError | undefined;
  /** Executions running in this engine (in memory), for metrics. */
  readonly liveExecutions: number;
  /** What the engine holds now, for metrics (walks the live actions: call it per scrape, not per event). */
  stats(): EngineStats;
}

export interface EngineStats {
  /** Executions running in this engine. */
  executions: number;
  /** Nodes (and array subtasks) waiting to start. */
  queuedNodes: number;
  /** Nodes (and array subtasks) running. */
  runningNodes: number;
  /** Actions woken and waiting for the engine's next round. */
  queueDepth: number;
}

function validateId(id: core.WorkflowExecutionIdentifier | undefined, field: string): asserts id {
  if (!id) throw new InvalidArgumentError(field, "is required");
  for (const k of ["project", "domain", "name"] as const) {
    if (!id[k]) throw new InvalidArgumentError(`${field}.${k}`, "must not be empty");
    if (id[k].includes("/")) throw new InvalidArgumentError(`${field}.${k}`, `must not contain "/" (got "${id[k]}")`);
  }
}

export function createEngine(options: EngineOptions): Engine {
  const settings: EngineSettings = {
    metadataPrefix: (options.metadataPrefix ?? "memory://aloft/metadata").replace(/\/+$/, ""),
    rawOutputPrefix: (options.rawOutputPrefix ?? "memory://aloft/raw").replace(/\/+$/, ""),
    maxSystemFailures: options.maxSystemFailures ?? 3,
    maxParallelism: options.maxParallelism ?? 0,
    inlineOutputsMaxBytes: options.inlineOutputsMaxBytes ?? 64 * 1024,
  };
  if (!Number.isInteger(settings.maxParallelism) || settings.maxParallelism < 0) {
    throw new InvalidArgumentError("maxParallelism", "must be a non-negative integer");
  }
  const onError = options.onError ?? ((err: unknown) => console.error("aloft engine:", err));
  const store: EngineStore = options.store === "memory" ? new MemoryStore() : new SqlStore(options.store);
  const publisher = new EventPublisher(options.events, onError);
  const executor = new Executor(store, options.blobStore, handlerFor, options.plugins, publisher);
  executor.pauseListener = options.onPause;
  const signalWatchers = new Map<string, Set<LiveAction>>();
  /** Closures of a memory store's executions (its records hold no closure bytes). */
  const memoryClosures = new Map<string, core.CompiledWorkflowClosure>();
  const signalValues = new Map<string, core.Literal>();
  const sigKey = (exec: string, id: string) => `${exec}\u0000${id}`;

  /**
   * Existence checks of concurrent creates go together: the first runs at once, and every check asked for
   * while a query is in flight joins the next one, so a burst of CreateExecution calls costs one query per
   * round trip instead of one each.
   */
  let lookupQueue: Map<string, Array<{ resolve: (r: ExecutionRecord | undefined) => void; reject: (e: unknown) => void }>> | undefined;
  let lookupInFlight = false;
  function findExecution(key: string): Promise<ExecutionRecord | undefined> {
    return new Promise((resolve, reject) => {
      lookupQueue ??= new Map();
      const waiters = lookupQueue.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else lookupQueue.set(key, [{ resolve, reject }]);
      if (!lookupInFlight) void runLookups();
    });
  }
  async function runLookups(): Promise<void> {
    lookupInFlight = true;
    while (lookupQueue?.size) {
      const batch = lookupQueue;
      lookupQueue = undefined;
      try {
        const found = new Map((await store.getExecutions([...batch.keys()])).map((r) => [r.key, r]));
        for (const [k, waiters] of batch) for (const w of waiters) w.resolve(found.get(k));
      } catch (err) {
        for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
      }
    }
    lookupInFlight = false;
  }

  /**
   * Encoded closures by closure object: the control plane hands every execution of a launch plan the same (cached,
   * immutable) compiled workflow, and encoding it was the largest part of a create on the main thread.
   */
  const closureBytesOf = new WeakMap<core.CompiledWorkflowClosure, Uint8Array>();
  function encodedClosure(c: core.CompiledWorkflowClosure): Uint8Array {
    let bytes = closureBytesOf.get(c);
    if (!bytes) closureBytesOf.set(c, (bytes = toBinary(core.CompiledWorkflowClosureSchema, c)));
    return bytes;
  }

  /** Creates in progress by key: a second create of the same id waits for the first, then attaches to it. */
  const creating = new Map<string, Promise<ExecutionRecord>>();
  const ignore = () => {};

  async function createLive(request: CreateExecutionRequest, parentAction: string | null): Promise<ExecutionRecord> {
    validateId(request.id, "id");
    if (!request.closure?.primary?.template) throw new InvalidArgumentError("closure.primary.template", "is required");
    const key = executionKey(request.id);
    for (let pending = creating.get(key); pending; pending = creating.get(key)) await pending.then(ignore, ignore);
    const run = createLiveOnce(request, parentAction, key);
    creating.set(key, run);
    try {
      return await run;
    } finally {
      if (creating.get(key) === run) creating.delete(key);
    }
  }

  async function createLiveOnce(request: CreateExecutionRequest, parentAction: string | null, key: string): Promise<ExecutionRecord> {
    // Only a durable store needs the closure's bytes (to reload it after a restart). A memory store
    // keeps the closure object instead: encoding a large closure was a visible part of local runs.
    const closureBytes = store.durable ? encodedClosure(request.closure) : EMPTY_BYTES;
    const inputs = request.inputs ?? create(core.LiteralMapSchema, {});
    const existing = executor.executions.get(key)?.rec ?? (request.reserved ? undefined : await findExecution(key));
    if (existing) {
      const sameInputs = equals(core.LiteralMapSchema, await executor.executionInputs(existing), inputs);
      const sameClosure = store.durable
        ? bytesEqual(existing.closure, closureBytes)
        : memoryClosures.has(key) && equals(core.CompiledWorkflowClosureSchema, memoryClosures.get(key)!, request.closure);
      if (!sameInputs || !sameClosure) throw new AlreadyExistsError(`execution ${key}`);
      return existing;
    }
    // While a store is away nothing new is taken on: the caller learns why at once, and no half-created execution
    // is left behind to start later behind its back.
    if (executor.pausedBy) throw executor.pausedBy;
    if (!store.durable) memoryClosures.set(key, request.closure);
    const o = request.options ?? {};
    const now = Date.now();
    const opts: ExecutionOptionsRecord = {};
    if (o.maxParallelism !== undefined) opts.maxParallelism = o.maxParallelism;
    if (o.timeoutMs !== undefined) opts.deadline = now + o.timeoutMs;
    if (o.overwriteCache !== undefined) opts.overwriteCache = o.overwriteCache;
    if (o.interruptible !== undefined) opts.interruptible = o.interruptible;
    if (o.rawOutputPrefix !== undefined) opts.rawOutputPrefix = o.rawOutputPrefix;
    if (o.failurePolicy !== undefined) opts.failurePolicy = o.failurePolicy;
    // The caller may have stored the inputs already; one durable copy is enough. Otherwise small inputs stay in the
    // record (committed with it, as small outputs are), larger ones go to inputs.pb.
    let inputsUri = request.inputsUri ?? "";
    let inlineInputs: Uint8Array | null = null;
    if (request.inputsUri === undefined) {
      const bytes = toBinary(core.LiteralMapSchema, inputs);
      if (bytes.length <= settings.inlineOutputsMaxBytes) inlineInputs = bytes;
      else await executor.writeBytes((inputsUri = `${settings.metadataPrefix}/${key}/inputs.pb`), bytes);
    }
    const rec: ExecutionRecord = {
      key,
      project: request.id.project,
      domain: request.id.domain,
      name: request.id.name,
      closure: closureBytes,
      inputsUri,
      inputs: inlineInputs,
      phase: "QUEUED",
      outputsUri: null,
      outputs: null,
      error: null,
      options: opts,
      parentAction,
      createdAt: now,
      updatedAt: now,
    };
    const exec = newLiveExecution(rec, request.closure);
    const root = new LiveAction(
      { key, execution: key, parent: null, kind: "workflow", name: "", phase: "QUEUED", attempt: 0, systemFailures: 0, state: {}, inputsUri: inputsUri || null, outputsUri: null, outputs: null, error: null, startedAt: null, updatedAt: now },
      exec,
      undefined,
      { kind: "workflow", workflow: request.closure.primary!, scope: exec.scope },
    );
    root.inputs = inputs;
    register(exec, root);
    executor.markExecutionDirty(exec);
    executor.markDirty(root);
    publisher.onExecutionPhase(exec, undefined);
    executor.wake(root);
    // A child execution is created inside a round and commits with it; waiting here would deadlock.
    if (parentAction === null) await executor.committed();
    return rec;
  }

  function register(exec: LiveExecution, root: LiveAction) {
    exec.root = root;
    if (!exec.members.includes(root)) exec.members.push(root);
    executor.actions.set(root.key, root);
    executor.executions.set(exec.rec.key, exec);
    const deadline = exec.rec.options.deadline;
    if (deadline !== undefined) {
      const t = setTimeout(() => executor.requestAbort(exec, `execution exceeded its deadline`, "TIMED_OUT"), Math.max(0, deadline - Date.now()));
      t.unref?.();
      exec.timer = t;
    }
  }

  async function resultOf(rec: ExecutionRecord): Promise<ExecutionResult> {
    const r: ExecutionResult = { phase: rec.phase };
    if (rec.phase === "SUCCEEDED") {
      if (rec.outputs) r.outputs = fromBinary(core.LiteralMapSchema, rec.outputs);
      else if (rec.outputsUri) r.outputs = await executor.readLiteralMap(rec.outputsUri);
    }
    if (rec.error) r.error = rec.error;
    return r;
  }

  const services: EngineServices = {
    settings,
    launchPlans: options.launchPlans,
    catalog: options.catalog,
    async getSignal(execution, signalId) {
      const cached = signalValues.get(sigKey(execution, signalId));
      if (cached) return cached;
      const rec = await store.getSignal(execution, signalId);
      return rec ? fromBinary(core.LiteralSchema, rec.value) : undefined;
    },
    watchSignal(execution, signalId, action) {
      const k = sigKey(execution, signalId);
      let set = signalWatchers.get(k);
      if (!set) signalWatchers.set(k, (set = new Set()));
      set.add(action);
    },
    async startChildExecution({ id, closure, inputs, parentAction }) {
      await createLive({ id, closure, inputs }, parentAction.key);
    },
    async executionResult(id) {
      const rec = executor.executions.get(executionKey(id))?.rec ?? (await store.getExecution(executionKey(id)));
      if (!rec || !isTerminal(rec.phase)) return undefined;
      return resultOf(rec);
    },
    async abortExecution(id, reason) {
      const exec = executor.executions.get(executionKey(id));
      if (exec) executor.requestAbort(exec, reason);
    },
  };
  executor.services = services;

  return {
    get pausedBy() {
      return executor.pausedBy ?? publisher.waitingOn;
    },
    get liveExecutions() {
      return executor.executions.size;
    },
    stats() {
      let queuedNodes = 0;
      let runningNodes = 0;
      for (const a of executor.actions.values()) {
        if (a.rec.kind === "workflow") continue;
        if (a.rec.phase === "QUEUED") queuedNodes++;
        else if (a.rec.phase === "RUNNING") runningNodes++;
      }
      return { executions: executor.executions.size, queuedNodes, runningNodes, queueDepth: executor.queueDepth };
    },
    async start() {
      await store.init();
      for (const rec of await store.listUnfinishedExecutions()) {
        if (executor.executions.has(rec.key)) continue;
        const exec = await loadExecution(executor, rec);
        register(exec, exec.root);
        // Redeliver the current phase of everything unfinished; the sink dedupes.
        publisher.onExecutionPhase(exec, undefined);
        for (const a of exec.members) {
          if (isTerminal(a.rec.phase)) continue;
          publisher.onActionPhase(a, undefined);
          executor.wake(a);
        }
      }
    },
    async stop() {
      executor.stop();
      publisher.stop();
      await executor.idle().catch(() => {});
      for (const p of options.plugins) await p.close?.();
      await store.close();
    },
    createExecution: (request) => createLive(request, null),
    async wait(id) {
      validateId(id, "id");
      const key = executionKey(id);
      const live = executor.executions.get(key);
      if (live) {
        if (executor.fatal) throw executor.fatal;
        return new Promise<ExecutionResult>((resolve) => live.waiters.push(resolve));
      }
      const rec = await store.getExecution(key);
      if (!rec) throw new NotFoundError(`execution ${key}`);
      if (!isTerminal(rec.phase)) throw new InvalidArgumentError("id", `execution ${key} is not running in this engine (call start() to resume it)`);
      return resultOf(rec);
    },
    async abort(id, reason) {
      validateId(id, "id");
      const key = executionKey(id);
      const exec = executor.executions.get(key);
      if (!exec) {
        if (!(await store.getExecution(key))) throw new NotFoundError(`execution ${key}`);
        return; // already finished
      }
      executor.requestAbort(exec, reason);
      await executor.committed();
    },
    async setSignal(id, signalId, value) {
      validateId(id, "id");
      if (!signalId) throw new InvalidArgumentError("signalId", "must not be empty");
      const key = executionKey(id);
      await store.putSignal({ execution: key, signalId, value: toBinary(core.LiteralSchema, value) });
      signalValues.set(sigKey(key, signalId), value);
      const watchers = signalWatchers.get(sigKey(key, signalId));
      signalWatchers.delete(sigKey(key, signalId));
      for (const a of watchers ?? []) executor.wake(a);
    },
    async approve(id, signalId, approved) {
      const value = create(core.LiteralSchema, { value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "boolean", value: approved } } } } } });
      await this.setSignal(id, signalId, value);
    },
    async getExecution(id) {
      validateId(id, "id");
      const key = executionKey(id);
      return executor.executions.get(key)?.rec ?? store.getExecution(key);
    },
    async listNodeExecutions(id) {
      validateId(id, "id");
      await executor.idle();
      return store.listActions(executionKey(id));
    },
    async listTaskAttempts(id) {
      validateId(id, "id");
      await executor.idle();
      return store.listAttempts(executionKey(id));
    },
  };
}

const EMPTY_BYTES = new Uint8Array(0);

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
