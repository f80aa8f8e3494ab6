// The server's cache API (server/src/cache/cache-route.ts) as catalog storage: `aloft cache` reads and evicts
// through it, and `aloft run --cache remote` puts it behind the local DataCatalog. Reservations stay in this
// process (a local run is one process; the server serialises its own executions).
import { authHeaders } from "./credentials.ts";
import { entryFromJson, entryToJson, keyFromJson, MemoryCatalogStorage, type CacheEntry, type CacheKey, type CatalogStorage } from "@aloft/engine";

export class CacheApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "CacheApiError";
  }
}

export class RemoteCatalogStorage implements CatalogStorage {
  readonly #reservations = new MemoryCatalogStorage();
  readonly #base: string;

  constructor(endpoint: string) {
    this.#base = `${endpoint.replace(/\/+$/, "")}/aloft/v1/cache/`;
  }

  async #call(op: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(this.#base + op, { method: "POST", headers: { "content-type": "application/json", ...authHeaders() }, body: JSON.stringify(body) });
    const text = await res.text();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new CacheApiError(res.status, `cache API ${op}: HTTP ${res.status}: ${text.slice(0, 200)}`);
    }
    if (!res.ok) throw new CacheApiError(res.status, `cache API ${op}: ${String(json.message ?? `HTTP ${res.status}`)}`);
    return json;
  }

  async find(key: CacheKey): Promise<CacheEntry | undefined> {
    const r = await this.#call("find", { key });
    return r.entry ? entryFromJson(r.entry) : undefined;
  }

  async recent(task: string, limit: number): Promise<CacheKey[]> {
    const r = await this.#call("recent", { task, limit });
    return (r.keys as unknown[]).map((k, i) => keyFromJson(k, `keys[${i}]`));
  }

  async put(entry: CacheEntry, overwrite: boolean): Promise<boolean> {
    return (await this.#call("put", { entry: entryToJson(entry), overwrite })).stored === true;
  }

  async delete(key: CacheKey): Promise<boolean> {
    return (await this.#call("delete", { key })).deleted === true;
  }

  reserve(key: CacheKey, owner: string, now: number, ttlMs: number) {
    return this.#reservations.reserve(key, owner, now, ttlMs);
  }

  release(key: CacheKey, owner: string) {
    return this.#reservations.release(key, owner);
  }
}
