// The local on-disk cache behind `aloft run`: the engine's DataCatalog (so keys are the engine's `cacheKey`, the
// same the server uses) over entries stored as files. One JSON file per entry, grouped in one directory per task,
// written atomically; reservations are per process, since a local run is one process.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DataCatalog, MemoryCatalogStorage, type CacheEntry, type CacheKey, type Catalog, type CatalogStorage } from "@aloft/engine";

interface StoredEntry {
  key: CacheKey;
  outputs: string;
  sourceExecution: string;
  sourceAction: string;
  createdAt: number;
}

const hash = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 32);

export class DiskCatalogStorage implements CatalogStorage {
  readonly #reservations = new MemoryCatalogStorage();

  constructor(readonly dir: string) {}

  #taskDir(task: string): string {
    return join(this.dir, hash(task));
  }

  #file(k: CacheKey): string {
    return join(this.#taskDir(k.task), `${hash(`${k.version}\u0000${k.signature}\u0000${k.inputs}`)}.json`);
  }

  async #read(path: string): Promise<CacheEntry | undefined> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
    const s = JSON.parse(text) as StoredEntry;
    return { ...s, outputs: new Uint8Array(Buffer.from(s.outputs, "base64")) };
  }

  find(key: CacheKey): Promise<CacheEntry | undefined> {
    return this.#read(this.#file(key));
  }

  // Keys of each task's entries, oldest first, read from disk once per task and then kept in step with this
  // process's puts and deletes: explaining each miss of a cached chain re-read the whole directory (quadratic).
  // Entries another process writes meanwhile are missing from miss explanations only, never from lookups.
  readonly #recent = new Map<string, Promise<Array<{ key: CacheKey; createdAt: number }>>>();

  #listed(task: string): Promise<Array<{ key: CacheKey; createdAt: number }>> {
    let list = this.#recent.get(task);
    if (!list) {
      list = (async () => {
        let names: string[];
        try {
          names = await readdir(this.#taskDir(task));
        } catch {
          return [];
        }
        const entries = await Promise.all(names.filter((n) => n.endsWith(".json")).map((n) => this.#read(join(this.#taskDir(task), n))));
        return entries
          .filter((e): e is CacheEntry => e !== undefined)
          .sort((a, b) => a.createdAt - b.createdAt)
          .map((e) => ({ key: e.key, createdAt: e.createdAt }));
      })();
      this.#recent.set(task, list);
    }
    return list;
  }

  #unlist(list: Array<{ key: CacheKey }>, k: CacheKey): void {
    const f = this.#file(k);
    const i = list.findIndex((e) => this.#file(e.key) === f);
    if (i >= 0) list.splice(i, 1);
  }

  async recent(task: string, limit: number): Promise<CacheKey[]> {
    const list = await this.#listed(task);
    return list.slice(Math.max(0, list.length - limit)).reverse().map((e) => e.key);
  }

  async put(entry: CacheEntry, overwrite: boolean): Promise<boolean> {
    const path = this.#file(entry.key);
    if (!overwrite && (await this.#read(path))) return false;
    await mkdir(this.#taskDir(entry.key.task), { recursive: true });
    const stored: StoredEntry = { ...entry, outputs: Buffer.from(entry.outputs).toString("base64") };
    // Write then rename, so a crashed run never leaves a half-written entry behind.
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(stored));
    await rename(tmp, path);
    const list = await this.#recent.get(entry.key.task);
    if (list) {
      this.#unlist(list, entry.key);
      let i = list.length;
      while (i > 0 && list[i - 1]!.createdAt > entry.createdAt) i--;
      list.splice(i, 0, { key: entry.key, createdAt: entry.createdAt });
    }
    return true;
  }

  async delete(key: CacheKey): Promise<boolean> {
    const existed = (await this.#read(this.#file(key))) !== undefined;
    await rm(this.#file(key), { force: true });
    const list = await this.#recent.get(key.task);
    if (list) this.#unlist(list, key);
    return existed;
  }

  reserve(key: CacheKey, owner: string, now: number, ttlMs: number) {
    return this.#reservations.reserve(key, owner, now, ttlMs);
  }

  release(key: CacheKey, owner: string) {
    return this.#reservations.release(key, owner);
  }
}

/** A cache in `dir`; keep it next to the run data its entries point at (cached outputs reference blob URIs). */
export function localCatalog(dir: string): Catalog {
  return new DataCatalog(new DiskCatalogStorage(dir));
}
