// The data catalog: cache lookups that say why they hit or missed, puts, overwrite, eviction, and
// reservations so identical concurrent cache-serializable tasks run once.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import type { CacheLookup, CacheSource, Catalog, Reservation } from "./catalog.ts";
import { cacheKey, explainMiss } from "./key.ts";
import type { CatalogStorage } from "./storage.ts";

export class DataCatalog implements Catalog {
  constructor(
    private readonly storage: CatalogStorage,
    private readonly now: () => number = Date.now,
  ) {}

  async lookup(task: core.TaskTemplate, inputs: core.LiteralMap): Promise<CacheLookup> {
    const key = cacheKey(task, inputs);
    const entry = await this.storage.find(key);
    if (entry) {
      return { hit: true, outputs: fromBinary(core.LiteralMapSchema, entry.outputs), reason: `hit: cached by ${entry.sourceAction}` };
    }
    return { hit: false, reason: explainMiss(key, await this.storage.recent(key.task, 20)) };
  }

  async put(task: core.TaskTemplate, inputs: core.LiteralMap, outputs: core.LiteralMap, source: CacheSource, overwrite: boolean): Promise<void> {
    await this.storage.put(
      { key: cacheKey(task, inputs), outputs: toBinary(core.LiteralMapSchema, outputs), sourceExecution: source.execution, sourceAction: source.action, createdAt: this.now() },
      overwrite,
    );
  }

  async reserve(task: core.TaskTemplate, inputs: core.LiteralMap, owner: string, ttlMs: number): Promise<Reservation> {
    const held = await this.storage.reserve(cacheKey(task, inputs), owner, this.now(), ttlMs);
    return { acquired: held.owner === owner, owner: held.owner, expiresAt: held.expiresAt };
  }

  release(task: core.TaskTemplate, inputs: core.LiteralMap, owner: string): Promise<void> {
    return this.storage.release(cacheKey(task, inputs), owner);
  }

  evict(task: core.TaskTemplate, inputs: core.LiteralMap): Promise<boolean> {
    return this.storage.delete(cacheKey(task, inputs));
  }
}
