// Opening PGlite without keeping initdb's memory. initdb grows PGlite's WASM heap to ~800 MiB, and a
// WASM heap never shrinks, so a new cluster is created by a throwaway worker (its heap is freed with
// the thread) and the serving worker then opens the finished cluster (~290 MiB).
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzip } from "node:zlib";
import { PGliteWorker, runPGliteInit } from "./pglite-dialect.ts";

/** Where a new cluster is built inside the data directory before it is moved into place. */
export const STAGING_DIR_NAME = ".aloft-initdb";

/**
 * A fresh cluster as a gzipped tar, kept after the first initdb of the process: another new database
 * (tests open many) then costs an untar (~1 s) instead of initdb (~6 s). ~5 MiB.
 */
let freshCluster: Promise<Uint8Array> | undefined;

const gzipFast = (data: Uint8Array) =>
  new Promise<Uint8Array>((resolve, reject) => gzip(data, { level: 1 }, (err, out) => (err ? reject(err) : resolve(out))));

/** Creates a fresh cluster in `target`, or (no target) only as a tar for an in-memory database. */
async function createCluster(target: string | undefined): Promise<{ tar: Uint8Array; gzipped: boolean }> {
  if (freshCluster === undefined) {
    const first = runPGliteInit({ ...(target !== undefined ? { dataDir: target } : {}), dumpTar: true }).then((tar) => {
      if (!tar) throw new Error("the PGlite initialization worker returned no cluster");
      return tar;
    });
    // Compressed on libuv's thread pool, while the caller goes on with the raw tar.
    const cached = first.then(gzipFast);
    freshCluster = cached;
    cached.catch(() => {
      if (freshCluster === cached) freshCluster = undefined;
    });
    return { tar: await first, gzipped: false };
  }
  const tar = await freshCluster;
  if (target !== undefined) await runPGliteInit({ dataDir: target, loadDataDir: tar, gzipped: true });
  return { tar, gzipped: true };
}

/**
 * Builds a cluster in a staging directory and moves it into `dataDir`, PG_VERSION last: PGlite
 * takes a directory with PG_VERSION for an initialized one, so a process killed half-way leaves a
 * directory that is initialized again on the next open instead of one that cannot start.
 * The caller holds the directory's lock.
 */
async function initDataDir(dataDir: string): Promise<void> {
  const staging = join(dataDir, STAGING_DIR_NAME);
  rmSync(staging, { recursive: true, force: true });
  await createCluster(staging);
  const names = readdirSync(staging);
  if (!names.includes("PG_VERSION")) throw new Error(`PGlite initialization left no PG_VERSION in ${staging}`);
  for (const name of names) {
    if (name === "PG_VERSION") continue;
    // Only entries the new cluster brings: what an earlier interrupted move left under that name.
    rmSync(join(dataDir, name), { recursive: true, force: true });
    renameSync(join(staging, name), join(dataDir, name));
  }
  renameSync(join(staging, "PG_VERSION"), join(dataDir, "PG_VERSION"));
  rmSync(staging, { recursive: true, force: true });
}

/** Opens PGlite in a worker on `dataDir` (created if new) or in memory. */
export async function openPGliteWorker(dataDir: string | undefined): Promise<PGliteWorker> {
  if (dataDir === undefined) {
    const { tar, gzipped } = await createCluster(undefined);
    return PGliteWorker.start({ loadDataDir: tar, gzipped });
  }
  if (existsSync(join(dataDir, "PG_VERSION"))) {
    // Killed after the last move of an initialization, before the staging directory was removed.
    rmSync(join(dataDir, STAGING_DIR_NAME), { recursive: true, force: true });
  } else {
    await initDataDir(dataDir);
  }
  return PGliteWorker.start({ dataDir });
}
