// Catalog storage in memory.
import type { CacheKey } from "./key.ts";
import type { CacheEntry, CatalogStorage } from "./storage.ts";

const id = (k: CacheKey) => `${k.task}\u0000${k.version}\u0000${k.signature}\u0000${k.inputs}`;

export class MemoryCatalogStorage implements CatalogStorage {
  readonly #entries = new Map<string, CacheEntry>();
  readonly #reservations = new Map<string, { owner: string; expiresAt: number }>();

  async find(key: CacheKey) {
    return this.#entries.get(id(key));
  }
  async recent(task: string, limit: number) {
    return [...this.#entries.values()]
      .filter((e) => e.key.task === task)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, limit)
      .map((e) => e.key);
  }
  async put(entry: CacheEntry, overwrite: boolean) {
    if (!overwrite && this.#entries.has(id(entry.key))) return false;
    this.#entries.set(id(entry.key), entry);
    return true;
  }
  async delete(key: CacheKey) {
    return this.#entries.delete(id(key));
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
