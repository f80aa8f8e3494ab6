// `aloft run --cache remote|remote-write`: the local disk cache first, then the server's. A result computed on the
// server is a hit on the laptop; with remote-write, a result computed on the laptop is written to the server too.
// Keys are the engine's cacheKey on both sides, so an entry means the same task, cache version, interface and inputs.
import { fromBinary, toJsonString } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { DataCatalog, type CacheEntry, type CacheKey, type CatalogStorage } from "@aloft/engine";
import { DiskCatalogStorage } from "@aloft/sdk";
import { RemoteCatalogStorage } from "./cache-client.ts";
import { takeCommonFlags } from "./connection.ts";

/** Outputs that point at this machine's files (file:// or bare paths), which the server cannot read. */
function localUris(outputs: Uint8Array): string[] {
  const json = toJsonString(core.LiteralMapSchema, fromBinary(core.LiteralMapSchema, outputs));
  return [...json.matchAll(/"uri":"((?:file:|\/)[^"]*)"/g)].map((m) => m[1]!);
}

export class TieredCatalogStorage implements CatalogStorage {
  constructor(
    private readonly local: CatalogStorage,
    private readonly remote: CatalogStorage,
    private readonly writeRemote: boolean,
  ) {}

  async find(key: CacheKey): Promise<CacheEntry | undefined> {
    return (await this.local.find(key)) ?? (await this.remote.find(key));
  }

  async recent(task: string, limit: number): Promise<CacheKey[]> {
    const [mine, theirs] = await Promise.all([this.local.recent(task, limit), this.remote.recent(task, limit)]);
    return [...mine, ...theirs].slice(0, limit);
  }

  async put(entry: CacheEntry, overwrite: boolean): Promise<boolean> {
    const stored = (await this.local.put(entry, overwrite)) === true;
    if (!this.writeRemote) return stored;
    const local = localUris(entry.outputs);
    // An error here is reported on the node (PUT_FAILURE) and the run goes on; the local entry is kept.
    if (local.length > 0) throw new Error(`not written to the server's cache: the outputs reference files on this machine (${local[0]})`);
    return (await this.remote.put(entry, overwrite)) === true || stored;
  }

  async delete(key: CacheKey): Promise<boolean> {
    const here = await this.local.delete(key);
    return (this.writeRemote && (await this.remote.delete(key))) || here;
  }

  reserve(key: CacheKey, owner: string, now: number, ttlMs: number) {
    return this.local.reserve(key, owner, now, ttlMs);
  }

  release(key: CacheKey, owner: string) {
    return this.local.release(key, owner);
  }
}

/**
 * The catalog of `aloft run --cache remote|remote-write`: takes --endpoint, --project and --domain out of the run's
 * arguments (the run takes the server's project and domain, which are part of the key) and returns the rest.
 */
export function sharedCatalog(args: string[], catalogDir: string, writeRemote: boolean): { project: string; domain: string; catalog: DataCatalog; rest: string[] } {
  const { flags, rest } = takeCommonFlags(args);
  const storage = new TieredCatalogStorage(new DiskCatalogStorage(catalogDir), new RemoteCatalogStorage(flags.endpoint), writeRemote);
  return { project: flags.project, domain: flags.domain, catalog: new DataCatalog(storage), rest };
}
