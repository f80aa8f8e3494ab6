// Opening PGlite without keeping initdb's memory. initdb grows PGlite's WASM heap to ~800 MiB, and a
// WASM heap never shrinks, so a new cluster is built by a throwaway child process
// (pglite-initdb.mjs) and the serving worker then opens the finished cluster.
import { fork } from "node:child_process";
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGliteWorker, rebuildError } from "./pglite-dialect.ts";

/**
 * Prefix of the directory inside the data directory where a new cluster is built before it is moved
 * into place; the opener's pid follows, so the initialization process of a killed opener (which
 * stops when it notices) never writes into its successor's.
 */
export const STAGING_DIR_PREFIX = ".aloft-initdb-";

/** Removes staging directories left by interrupted initializations (the caller holds the lock). */
function removeStaleStaging(dataDir: string): void {
  for (const name of readdirSync(dataDir)) {
    if (name.startsWith(STAGING_DIR_PREFIX)) rmSync(join(dataDir, name), { recursive: true, force: true });
  }
}

/**
 * A fresh cluster as a gzipped tar, kept after the first initdb of the process: another new database
 * (tests open many) then costs an untar (~1 s) instead of initdb (~6 s). ~5 MiB.
 */
let freshCluster: Promise<Uint8Array> | undefined;

/**
 * Settings of the serving PGlite. shared_buffers is most of PGlite's resident heap: initdb's 128MB
 * cost ~100 MiB of RSS more than 32MB and measured no faster on the engine benchmarks (the data
 * files stay in the OS page cache behind it).
 */
const SETTINGS = ["-c", "shared_buffers=32MB"];

interface InitOptions {
  dataDir?: string;
  loadDataDir?: Uint8Array;
  gzipped?: boolean;
  dumpTar?: boolean;
}

/** Runs pglite-initdb.mjs to its end; resolves to the gzipped cluster tar when `dumpTar`. */
function runInitProcess(options: InitOptions): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL("./pglite-initdb.mjs", import.meta.url)), [], {
      execArgv: [],
      serialization: "advanced", // carries the tar as bytes
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    let reply: { tar?: Uint8Array; error?: { message: string } } | undefined;
    child.on("message", (msg: typeof reply) => (reply = msg));
    child.on("error", (err) => reject(new Error(`cannot run the PGlite initialization process: ${err.message}`, { cause: err })));
    child.on("exit", (code, signal) => {
      if (reply?.error) reject(rebuildError(reply.error));
      else if (reply && code === 0) resolve(reply.tar);
      else reject(new Error(`the PGlite initialization process exited (code ${code}, signal ${signal}) before finishing${stderr ? `: ${stderr.trim()}` : ""}`));
    });
    child.send(options);
  });
}

/** Creates a fresh cluster in `target`, or (no target) only as a tar for an in-memory database. */
async function createCluster(target: string | undefined): Promise<Uint8Array> {
  if (freshCluster === undefined) {
    const first = runInitProcess({ ...(target !== undefined ? { dataDir: target } : {}), dumpTar: true }).then((tar) => {
      if (!tar) throw new Error("the PGlite initialization process returned no cluster");
      return tar;
    });
    freshCluster = first;
    first.catch(() => {
      if (freshCluster === first) freshCluster = undefined;
    });
    return first;
  }
  const tar = await freshCluster;
  if (target !== undefined) await runInitProcess({ dataDir: target, loadDataDir: tar, gzipped: true });
  return tar;
}

/**
 * Builds a cluster in a staging directory and moves it into `dataDir`, PG_VERSION last: PGlite
 * takes a directory with PG_VERSION for an initialized one, so a process killed half-way leaves a
 * directory that is initialized again on the next open instead of one that cannot start.
 * The caller holds the directory's lock.
 */
async function initDataDir(dataDir: string): Promise<void> {
  removeStaleStaging(dataDir);
  const staging = join(dataDir, `${STAGING_DIR_PREFIX}${process.pid}`);
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
    return PGliteWorker.start({ loadDataDir: await createCluster(undefined), gzipped: true, startParams: SETTINGS });
  }
  if (existsSync(join(dataDir, "PG_VERSION"))) {
    // Killed after the last move of an initialization, before the staging directory was removed.
    removeStaleStaging(dataDir);
  } else {
    await initDataDir(dataDir);
  }
  return PGliteWorker.start({ dataDir, startParams: SETTINGS });
}
