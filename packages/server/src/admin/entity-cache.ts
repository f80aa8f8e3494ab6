// Decoded launch plans and compiled workflows by full id. A registered version never changes (a different spec
// under the same id is refused), so these can be kept for the life of the process; only the launch plan's
// active state changes, and that is not cached here. Bounded so a long-lived server does not grow without end.
import type { Kysely } from "kysely";

const MAX_ENTRIES = 2_000;
const caches = new WeakMap<Kysely<never>, Map<string, unknown>>();
const loads = new WeakMap<Kysely<never>, Map<string, Promise<unknown>>>();

export async function cached<T>(db: Kysely<never>, key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let inflight = loads.get(db);
  if (!inflight) loads.set(db, (inflight = new Map()));
  if (cache.has(key)) {
    const v = cache.get(key) as T;
    // Refresh recency: Map iteration order is insertion order, so the oldest entry is evicted first.
    cache.delete(key);
    cache.set(key, v);
    return v;
  }
  // Concurrent misses of one key share a single load.
  let loading = inflight.get(key);
  if (!loading) {
    loading = load().finally(() => inflight.delete(key));
    inflight.set(key, loading);
  }
  const v = (await loading) as T | undefined;
  if (v === undefined) return undefined;
  cache.set(key, v);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  return v;
}
