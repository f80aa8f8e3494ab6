// The data catalog: cache lookups that say why they hit or missed, puts, overwrite, eviction, and
// reservations so identical concurrent cache-serializable tasks run once.
//
// An in-process index keeps the entries this catalog wrote or read. A chain of cached nodes looks
// them up one after another (each node's inputs are the previous hit's outputs), so the storage
// round trip would be the critical path of an all-hit execution. Entries are immutable except
// through overwrite and evict, which go through this catalog and update the index.
//
// Several processes sharing one PostgreSQL database: an overwrite or evict done by another process
// is not seen by this process's index, so it may keep serving the entry it knew (as if its lookup
// had happened just before the other process's change) until the entry leaves the index, which is
// at most `indexTtlMs` after it was indexed. Pass `index: false` where that is not acceptable.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import type { CacheLookup, CacheSource, Catalog, Reservation } from "./catalog.ts";
import { cacheKey, type CacheKey } from "./key.ts";
import { explainMiss } from "./key.ts";
import type { CacheEntry, CatalogStorage } from "./storage.ts";

export interface DataCatalogOptions {
  now?: () => number;
  /** Keep an in-process index of entries written or read here (default true). */
  index?: boolean;
  /** Total outputs bytes the index may hold; the oldest entries leave first (default 64 MiB). */
  indexMaxBytes?: number;
  /** How long an indexed entry is trusted without asking the storage again (default 60 s). */
  indexTtlMs?: number;
}

interface Indexed {
  bytes: Uint8Array;
  outputs: core.LiteralMap;
  source: CacheSource;
  indexedAt: number;
}

const sourceOf = (e: CacheEntry): CacheSource => ({ execution: e.sourceExecution, action: e.sourceAction, ...(e.sourceTaskExecution ? { taskExecution: e.sourceTaskExecution } : {}) });

const indexId = (k: CacheKey) => `${k.task}\u0000${k.version}\u0000${k.signature}\u0000${k.inputs}`;

export class DataCatalog implements Catalog {
  readonly #now: () => number;
  readonly #index: Map<string, Indexed> | undefined;
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  #bytes = 0;
  // The key of the inputs a node looked up is needed again by its put and release.
  readonly #keys = new WeakMap<core.LiteralMap, { task: core.TaskTemplate; key: CacheKey }>();

  constructor(
    private readonly storage: CatalogStorage,
    options: DataCatalogOptions | (() => number) = {},
  ) {
    const o = typeof options === "function" ? { now: options } : options;
    this.#now = o.now ?? Date.now;
    this.#index = o.index === false ? undefined : new Map();
    this.#maxBytes = o.indexMaxBytes ?? 64 * 1024 * 1024;
    this.#ttlMs = o.indexTtlMs ?? 60_000;
  }

  #key(task: core.TaskTemplate, inputs: core.LiteralMap): CacheKey {
    const memo = this.#keys.get(inputs);
    if (memo && memo.task === task) return memo.key;
    const key = cacheKey(task, inputs);
    this.#keys.set(inputs, { task, key });
    return key;
  }

  #remember(key: CacheKey, bytes: Uint8Array, outputs: core.LiteralMap, source: CacheSource): void {
    if (!this.#index || bytes.length > this.#maxBytes) return;
    const id = indexId(key);
    this.#forget(id);
    this.#index.set(id, { bytes, outputs, source, indexedAt: this.#now() });
    this.#bytes += bytes.length;
    // Map iteration is insertion order: the first entries are the oldest.
    for (const [old, e] of this.#index) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#index.delete(old);
      this.#bytes -= e.bytes.length;
    }
  }

  #forget(id: string): void {
    const e = this.#index?.get(id);
    if (!e) return;
    this.#index!.delete(id);
    this.#bytes -= e.bytes.length;
  }

  /** Entries currently indexed (for tests and diagnostics). */
  get indexedEntries(): number {
    return this.#index?.size ?? 0;
  }

  async lookup(task: core.TaskTemplate, inputs: core.LiteralMap): Promise<CacheLookup> {
    const key = this.#key(task, inputs);
    const id = indexId(key);
    const known = this.#index?.get(id);
    if (known && this.#now() - known.indexedAt < this.#ttlMs) {
      return { hit: true, outputs: known.outputs, outputsBytes: known.bytes, reason: `hit: cached by ${known.source.action}`, key, source: known.source };
    }
    const entry = await this.storage.find(key);
    if (entry) {
      const outputs = fromBinary(core.LiteralMapSchema, entry.outputs);
      const source = sourceOf(entry);
      this.#remember(key, entry.outputs, outputs, source);
      return { hit: true, outputs, outputsBytes: entry.outputs, reason: `hit: cached by ${entry.sourceAction}`, key, source };
    }
    this.#forget(id);
    return { hit: false, reason: explainMiss(key, await this.storage.recent(key.task, 20)), key };
  }

  async put(task: core.TaskTemplate, inputs: core.LiteralMap, outputs: core.LiteralMap, source: CacheSource, overwrite: boolean): Promise<{ key: CacheKey; stored: boolean }> {
    const key = this.#key(task, inputs);
    const bytes = toBinary(core.LiteralMapSchema, outputs);
    const stored = await this.storage.put(
      { key, outputs: bytes, sourceExecution: source.execution, sourceAction: source.action, ...(source.taskExecution ? { sourceTaskExecution: source.taskExecution } : {}), createdAt: this.#now() },
      overwrite,
    );
    // Index only what the storage now holds: a put that lost to an existing entry is not it.
    if (stored === true) this.#remember(key, bytes, outputs, source);
    else this.#forget(indexId(key));
    return { key, stored: stored === true };
  }

  async reserve(task: core.TaskTemplate, inputs: core.LiteralMap, owner: string, ttlMs: number): Promise<Reservation> {
    const held = await this.storage.reserve(this.#key(task, inputs), owner, this.#now(), ttlMs);
    return { acquired: held.owner === owner, owner: held.owner, expiresAt: held.expiresAt };
  }

  release(task: core.TaskTemplate, inputs: core.LiteralMap, owner: string): Promise<void> {
    return this.storage.release(this.#key(task, inputs), owner);
  }

  /**
   * The storage as others reach it by key (the server's cache API): reads go to the storage, and writes and
   * deletes keep this catalog's index in step, so an entry evicted through it is not served from the index.
   */
  byKey(): CatalogStorage {
    const storage = this.storage;
    return {
      find: (key) => storage.find(key),
      recent: (task, limit) => storage.recent(task, limit),
      put: async (entry, overwrite) => {
        const stored = await storage.put(entry, overwrite);
        this.#forget(indexId(entry.key));
        return stored;
      },
      delete: async (key) => {
        this.#forget(indexId(key));
        return storage.delete(key);
      },
      reserve: (key, owner, now, ttlMs) => storage.reserve(key, owner, now, ttlMs),
      release: (key, owner) => storage.release(key, owner),
    };
  }

  async evict(task: core.TaskTemplate, inputs: core.LiteralMap): Promise<boolean> {
    const key = this.#key(task, inputs);
    this.#forget(indexId(key));
    return this.storage.delete(key);
  }
}
