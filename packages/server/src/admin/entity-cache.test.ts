// Cached settings (project state, matchable attributes): kept up to a second, dropped at once by this process's own
// writes, and a load that raced a write is never kept.
import { expect, it } from "vitest";
import { cachedSetting, invalidateSettings, SETTINGS_TTL_MS } from "./entity-cache.ts";

const newDb = () => ({}) as never;

it("keeps a loaded value for the TTL, then loads it again", async () => {
  const db = newDb();
  let t = 1_000;
  let loads = 0;
  const load = async () => ++loads;
  expect(await cachedSetting(db, "k", load, () => t)).toBe(1);
  t += SETTINGS_TTL_MS - 1;
  expect(await cachedSetting(db, "k", load, () => t)).toBe(1);
  t += 1;
  expect(await cachedSetting(db, "k", load, () => t)).toBe(2);
  // undefined (no attributes, no project) is a value like any other.
  expect(await cachedSetting(db, "none", async () => (loads++, undefined), () => t)).toBeUndefined();
  expect(await cachedSetting(db, "none", async () => (loads++, "changed"), () => t)).toBeUndefined();
});

it("forgets everything on invalidate, and does not keep a load that an invalidation overtook", async () => {
  const db = newDb();
  expect(await cachedSetting(db, "k", async () => "old")).toBe("old");
  invalidateSettings(db);
  expect(await cachedSetting(db, "k", async () => "new")).toBe("new");
  // A load that began before a write and ends after it may have read the old row: its caller gets it, the cache not.
  let finish!: (v: string) => void;
  const racing = cachedSetting(db, "r", () => new Promise<string>((r) => (finish = r)));
  invalidateSettings(db);
  finish("read before the write");
  expect(await racing).toBe("read before the write");
  expect(await cachedSetting(db, "r", async () => "read after")).toBe("read after");
});
