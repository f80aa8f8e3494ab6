// Catalog storage in memory.
import type { CacheKey } from "./key.ts";
import type { CacheEntry, CatalogStorage } from "./storage.ts";

const id = (k: CacheKey) => `${k.task}\u0000${k.version}\u0000${k.signature}\u0000${k.inputs}`;

export class MemoryCatalogStorage implements CatalogStorage {
  readonly #entries = new Map<string, CacheEntry>();
  // Each task's entries oldest first, so explaining a miss reads the newest few instead of sorting
  // every entry (a chain of misses of one task was quadratic).
  readonly #byTask = new Map<string, CacheEntry[]>();
  readonly #reservations = new Map<string, { owner: string; expiresAt: number }>();

  async find(key: CacheKey) {
    return this.#entries.get(id(key));
  }
  async recent(task: string, limit: number) {
    const list = this.#byTask.get(task) ?? [];
    return list.slice(Math.max(0, list.length - limit)).reverse().map((e) => e.key);
  }
  async put(entry: CacheEntry, overwrite: boolean) {
    const k = id(entry.key);
    const old = this.#entries.get(k);
    if (old && !overwrite) return false;
    if (old) this.#unlist(old);
    this.#entries.set(k, entry);
    let list = this.#byTask.get(entry.key.task);
    if (!list) this.#byTask.set(entry.key.task, (list = []));
    // Usually the newest; otherwise insert in createdAt order.
    let i = list.length;
    while (i > 0 && list[i - 1]!.createdAt > entry.createdAt) i--;
    list.splice(i, 0, entry);
    return true;
  }
  async delete(key: CacheKey) {
    const old = this.#entries.get(id(key));
    if (!old) return false;
    this.#entries.delete(id(key));
    this.#unlist(old);
    return true;
  }
  #unlist(e: CacheEntry) {
    const list = this.#byTask.get(e.key.task);
    const i = list?.indexOf(e) ?? -1;
    if (i >= 0) list!.splice(i, 1);
  }
  async reserve(key: CacheKey, owner: string, now: number, ttlMs: number) {
    const cur = this.#reservations.get(id(key));
    if (cur && cur.owner !== owner && cur.expiresAt > now) return cur;
    const mine = { owner, expiresAt: now + ttlMs };
    this.#reservations.set(id(key), mine);
    return mine;
  }
  async release(key: CacheKey, owner: string) {
    if (this.#reservations.get(id(key))?.owner === owner) this.#reservations.delete(id(key));
  }
}
