// The on-disk copy of a fresh cluster: a new data directory is unpacked from it instead of running
// initdb, and a damaged copy is rebuilt rather than loaded. Each case imports the module afresh so
// its per-process copy starts empty, as in a new process.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { sql } from "kysely";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "aloft-pglite-cluster-"));
const previous = process.env.ALOFT_PGLITE_CLUSTER_CACHE;
afterEach(() => {
  if (previous === undefined) delete process.env.ALOFT_PGLITE_CLUSTER_CACHE;
  else process.env.ALOFT_PGLITE_CLUSTER_CACHE = previous;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Opens a new data directory with a freshly imported module; returns the cluster's identifier. */
async function systemIdentifier(dataDir: string): Promise<string> {
  vi.resetModules();
  const { openDatabase } = await import("./database.ts");
  const db = await openDatabase({ dataDir, migrations: [] });
  try {
    const r = await sql<{ id: string }>`select system_identifier::text as id from pg_control_system()`.execute(db.kysely);
    return r.rows[0]!.id;
  } finally {
    await db.close();
  }
}

const cacheFile = (cacheDir: string) => {
  const names = readdirSync(cacheDir).filter((n) => n.endsWith("-cluster.tar.gz"));
  expect(names).toHaveLength(1);
  return join(cacheDir, names[0]!);
};

describe("fresh-cluster cache", () => {
  it("unpacks later new data directories from the copy the first initdb left", async () => {
    const cacheDir = join(dir, "cache-a");
    process.env.ALOFT_PGLITE_CLUSTER_CACHE = cacheDir;
    const first = await systemIdentifier(join(dir, "a1"));
    const file = cacheFile(cacheDir);
    const written = statSync(file).mtimeMs;
    const second = await systemIdentifier(join(dir, "a2"));
    // The same cluster identifier means the second directory came from the copy, not a new initdb.
    expect(second).toBe(first);
    expect(statSync(file).mtimeMs).toBe(written);
  }, 120_000);

  it("runs initdb again when the copy is damaged, and replaces it", async () => {
    const cacheDir = join(dir, "cache-b");
    process.env.ALOFT_PGLITE_CLUSTER_CACHE = cacheDir;
    const original = await systemIdentifier(join(dir, "b1"));
    const file = cacheFile(cacheDir);
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length >> 1)); // truncated: the gzip trailer is gone
    const rebuilt = await systemIdentifier(join(dir, "b2"));
    expect(rebuilt).not.toBe(original);
    expect(() => gunzipSync(readFileSync(file))).not.toThrow();
  }, 120_000);
});
