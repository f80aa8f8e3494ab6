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

// Settings that can change (a project's state, matchable attributes): read on every CreateExecution, so kept a
// short while. This process's own writes drop them at once (invalidateSettings after the write commits); another
// server process's writes to a shared PostgreSQL are seen within SETTINGS_TTL_MS.
export const SETTINGS_TTL_MS = 1_000;
const MAX_SETTINGS = 10_000;

interface Settings {
  /** Bumped by every invalidation: a load that began before one is not kept. */
  generation: number;
  entries: Map<string, { value: unknown; loadedAt: number }>;
}
const settings = new WeakMap<Kysely<never>, Settings>();
const settingsOf = (db: Kysely<never>) => {
  let s = settings.get(db);
  if (!s) settings.set(db, (s = { generation: 0, entries: new Map() }));
  return s;
};

/** The value for `key`: kept if loaded less than SETTINGS_TTL_MS ago and not invalidated since, else loaded. */
export async function cachedSetting<T>(db: Kysely<never>, key: string, load: () => Promise<T>, now: () => number = Date.now): Promise<T> {
  const s = settingsOf(db);
  const hit = s.entries.get(key);
  const started = now();
  if (hit && started - hit.loadedAt < SETTINGS_TTL_MS) return hit.value as T;
  const generation = s.generation;
  const value = await load();
  if (s.generation === generation) {
    s.entries.delete(key);
    s.entries.set(key, { value, loadedAt: started });
    if (s.entries.size > MAX_SETTINGS) s.entries.delete(s.entries.keys().next().value!);
  }
  return value;
}

/** Forgets every cached setting; call after a write to projects or matchable attributes has committed. */
export function invalidateSettings(db: Kysely<never>): void {
  const s = settingsOf(db);
  s.generation++;
  s.entries.clear();
}
