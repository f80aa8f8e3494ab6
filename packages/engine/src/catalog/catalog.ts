// The data catalog seam used by the task handler: cache lookups, puts and serialisation
// reservations, keyed by task identity, cache version, interface and input hash.
import type { core } from "@aloft/idl";

export interface CacheLookup {
  hit: boolean;
  outputs?: core.LiteralMap;
  /** The outputs as binary `core.LiteralMap`, when at hand (saves encoding them again). */
  outputsBytes?: Uint8Array;
  /** Why it hit or missed, naming the part of the key that differed. */
  reason: string;
}

export interface CacheSource {
  execution: string;
  action: string;
}

export interface Reservation {
  /** True when this owner holds the reservation and should run the task. */
  acquired: boolean;
  owner: string;
  expiresAt: number;
}

export interface Catalog {
  lookup(task: core.TaskTemplate, inputs: core.LiteralMap): Promise<CacheLookup>;
  put(task: core.TaskTemplate, inputs: core.LiteralMap, outputs: core.LiteralMap, source: CacheSource, overwrite: boolean): Promise<void>;
  /** Reserves running a serialisable cached task; expired reservations of dead owners are taken over. */
  reserve(task: core.TaskTemplate, inputs: core.LiteralMap, owner: string, ttlMs: number): Promise<Reservation>;
  release(task: core.TaskTemplate, inputs: core.LiteralMap, owner: string): Promise<void>;
  evict(task: core.TaskTemplate, inputs: core.LiteralMap): Promise<boolean>;
}
