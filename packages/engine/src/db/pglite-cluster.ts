// Opening PGlite without keeping initdb's memory. initdb grows PGlite's WASM heap to ~800 MiB, and a
// WASM heap never shrinks, so a new cluster is built by a throwaway child process
// (pglite-initdb.mjs) and the serving worker then opens the finished cluster.
import { fork } from "node:child_process";
import { createRequire } from "node:module";
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, gunzipSync } from "node:zlib";
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
 * The same tar kept on disk across processes (a new `aloft start` data directory, every test
 * process), keyed by PGlite's version: a cluster only opens with the binary that made it.
 * `ALOFT_PGLITE_CLUSTER_CACHE` moves it; `off` disables it.
 */
function clusterCachePath(): string | undefined {
  const setting = process.env.ALOFT_PGLITE_CLUSTER_CACHE;
  if (setting === "off") return undefined;
  const version = pgliteVersion();
  const dir = setting || join(tmpdir(), `aloft-${userInfo().uid}`);
  return join(dir, `pglite-${version}-cluster.tar.gz`);
}

/** PGlite's package version (its exports hide package.json, so it is found above the entry). */
function pgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "@electric-sql/pglite" && pkg.version) return pkg.version;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find @electric-sql/pglite's package.json");
    dir = up;
  }
}

/** The cached tar when it is present and whole (gzip checks its own CRC); otherwise undefined. */
function readCachedCluster(path: string): Uint8Array | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  try {
    gunzipSync(bytes);
    return bytes;
  } catch {
    // A damaged cache is rebuilt by the next initdb, never loaded.
    rmSync(path, { force: true });
    return undefined;
  }
}

function writeCachedCluster(path: string, tar: Uint8Array): void {
  try {
    mkdirSync(join(path, ".."), { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, tar);
    renameSync(tmp, path); // readers see the whole file or none
  } catch {
    // The cache only saves time; an unwritable temp directory costs the next process an initdb.
  }
}

/**
 * Settings of the serving PGlite. shared_buffers is most of PGlite's resident heap: initdb's 128MB
 * cost ~100 MiB of RSS more than 32MB, and 16MB ~20-30 MiB less again on the 10,000-item map, with
 * no speed difference measurable on the engine benchmarks (the data files stay in the OS page cache
 * behind it). random_page_cost: PGlite's pages are in memory or the page cache, so a random read
 * costs about what a sequential one does (PostgreSQL's advice for such storage); at the default 4
 * the planner read whole tables to find a few rows by primary key.
 */
const SETTINGS = ["-c", "shared_buffers=16MB", "-c", "random_page_cost=1.1"];

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

/**
 * Unpacks a gzipped cluster tar (PGlite's dump: absolute member names, made relative here) into
 * `target`, one gunzip chunk at a time with synchronous writes. A whole-tar gunzip, or node-tar
 * (which ran ~40 MiB of output ahead of its writes), left ~40 MiB in the main malloc arena for the
 * rest of the process. Throws on a damaged or truncated tar (gzip checks its CRC and length).
 */
const EXTRACT_CHUNK = 4 << 20;

async function extractCluster(gzipped: Readable, target: string): Promise<void> {
  mkdirSync(target, { recursive: true });
  // Chunks above glibc's mmap threshold: each is unmapped when V8 frees it, so the ~40 MiB of
  // output never lands in the main malloc arena (16 KiB chunks left ~30 MiB there, fragmented).
  const gunzip = createGunzip({ chunkSize: EXTRACT_CHUNK });
  const done = pipeline(gzipped, gunzip);
  done.catch(() => {}); // reported through the iteration below, and awaited after it
  let pending: Buffer = Buffer.alloc(0);
  let fd: number | undefined;
  let remaining = 0; // bytes of the current member's data still to write
  let padding = 0; // bytes after it up to the next 512-byte block
  let ended = false;
  const closeFile = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (ended) continue;
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      while (!ended) {
        if (remaining > 0) {
          const n = Math.min(remaining, pending.length - at);
          if (n === 0) break;
          writeSync(fd!, pending, at, n);
          at += n;
          remaining -= n;
          if (remaining === 0) closeFile();
        } else if (padding > 0) {
          const n = Math.min(padding, pending.length - at);
          if (n === 0) break;
          at += n;
          padding -= n;
        } else {
          if (pending.length - at < 512) break;
          const header = pending.subarray(at, at + 512);
          at += 512;
          if (header.every((b) => b === 0)) {
            ended = true; // the end-of-archive blocks
            break;
          }
          const member = tarMember(header, target);
          if (member.type === "dir") mkdirSync(member.path, { recursive: true });
          else {
            mkdirSync(dirname(member.path), { recursive: true });
            fd = openSync(member.path, "w", member.mode);
            remaining = member.size;
            padding = (512 - (member.size % 512)) % 512;
            if (remaining === 0) closeFile();
          }
        }
      }
      pending = pending.subarray(at);
    }
    await done;
  } finally {
    closeFile();
  }
  if (!ended) throw new Error("the cached PGlite cluster tar ends early");
}

/** One header of a cluster tar: a directory or a regular file, inside `target`. */
function tarMember(header: Buffer, target: string): { type: "dir" | "file"; path: string; mode: number; size: number } {
  const text = (from: number, len: number) => {
    const field = header.subarray(from, from + len);
    const end = field.indexOf(0);
    return field.subarray(0, end < 0 ? len : end).toString("utf8");
  };
  const prefix = text(257, 6).startsWith("ustar") ? text(345, 155) : "";
  const name = (prefix ? `${prefix}/` : "") + text(0, 100);
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  // PGlite writes plain files and directories only; anything else (links, long-name extensions)
  // or a name leaving the target means this is not a cluster tar we made.
  const flag = header[156] === 0 ? "0" : String.fromCharCode(header[156]!);
  if (parts.length === 0 || parts.includes("..") || (flag !== "0" && flag !== "5")) {
    throw new Error(`unexpected member in the cached PGlite cluster tar: ${JSON.stringify(name)} (type ${JSON.stringify(flag)})`);
  }
  const octal = (from: number, len: number) => parseInt(text(from, len).trim() || "0", 8);
  return { type: flag === "5" ? "dir" : "file", path: join(target, ...parts), mode: octal(100, 8) & 0o777, size: octal(124, 12) };
}

/** Creates a fresh cluster in `target`, or (no target) only as a tar for an in-memory database. */
async function createCluster(target: string | undefined): Promise<Uint8Array | undefined> {
  const cachePath = freshCluster === undefined ? clusterCachePath() : undefined;
  if (freshCluster === undefined && cachePath !== undefined && target !== undefined) {
    // Straight from the file: the tar is never whole in memory.
    try {
      await extractCluster(createReadStream(cachePath, { highWaterMark: EXTRACT_CHUNK }), target);
      return undefined;
    } catch (err) {
      // Absent: the initdb below makes it. Damaged: removed, and rebuilt by that initdb.
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") rmSync(cachePath, { force: true });
      rmSync(target, { recursive: true, force: true });
    }
  } else if (freshCluster === undefined && cachePath !== undefined) {
    const cached = readCachedCluster(cachePath);
    if (cached !== undefined) freshCluster = Promise.resolve(cached);
  }
  if (freshCluster === undefined) {
    const first = runInitProcess({ ...(target !== undefined ? { dataDir: target } : {}), dumpTar: true }).then((tar) => {
      if (!tar) throw new Error("the PGlite initialization process returned no cluster");
      if (cachePath !== undefined) writeCachedCluster(cachePath, tar);
      return tar;
    });
    freshCluster = first;
    first.catch(() => {
      if (freshCluster === first) freshCluster = undefined;
    });
    return first;
  }
  const tar = await freshCluster;
  if (target !== undefined) await extractCluster(Readable.from([Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength)]), target);
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
export async function openPGliteWorker(dataDir: string | undefined, optimizeWasm = false): Promise<PGliteWorker> {
  if (dataDir === undefined) {
    const tar = await createCluster(undefined);
    if (tar === undefined) throw new Error("no PGlite cluster tar for the in-memory database");
    return PGliteWorker.start({ loadDataDir: tar, gzipped: true, startParams: SETTINGS, optimizeWasm });
  }
  if (existsSync(join(dataDir, "PG_VERSION"))) {
    // Killed after the last move of an initialization, before the staging directory was removed.
    removeStaleStaging(dataDir);
  } else {
    await initDataDir(dataDir);
  }
  return PGliteWorker.start({ dataDir, startParams: SETTINGS, optimizeWasm });
}
