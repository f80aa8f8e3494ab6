// The data catalog seam used by the task handler: cache lookups, puts and serialisation
// reservations, keyed by task identity, cache version, interface and input hash.
import type { core } from "@aloft/idl";
import type { CacheKey } from "./key.ts";

export interface CacheLookup {
  hit: boolean;
  outputs?: core.LiteralMap;
  /** The outputs as binary `core.LiteralMap`, when at hand (saves encoding them again). */
  outputsBytes?: Uint8Array;
  /** Why it hit or missed, naming the part of the key that differed. */
  reason: string;
  /** The key looked up (named in the node's catalog metadata). */
  key: CacheKey;
  /** Who computed the entry, on a hit. */
  source?: CacheSource;
}

/** The task execution that computed an entry, as Flyte names it (`CatalogMetadata.source_task_execution`). */
export interface SourceTaskExecution {
  task: { project: string; domain: string; name: string; version: string };
  execution: { project: string; domain: string; name: string };
  nodeId: string;
  retryAttempt: number;
}

export interface CacheSource {
  execution: string;
  action: string;
  taskExecution?: SourceTaskExecution;
}

export interface Reservation {
  /** True when this owner holds the reservation and should run the task. */
  acquired: boolean;
  owner: string;
  expiresAt: number;
}

export interface Catalog {
  lookup(task: core.TaskTemplate, inputs: core.LiteralMap): Promise<CacheLookup>;
  /** Stores the outputs (an existing entry is kept unless `overwrite`); `stored` says whether these outputs are the entry now. */
  put(task: core.TaskTemplate, inputs: core.LiteralMap, outputs: core.LiteralMap, source: CacheSource, overwrite: boolean): Promise<{ key: CacheKey; stored: boolean }>;
  /** Reserves running a serialisable cached task; expired reservations of dead owners are taken over. */
  reserve(task: core.TaskTemplate, inputs: core.LiteralMap, owner: string, ttlMs: number): Promise<Reservation>;
  release(task: core.TaskTemplate, inputs: core.LiteralMap, owner: string): Promise<void>;
  evict(task: core.TaskTemplate, inputs: core.LiteralMap): Promise<boolean>;
}
