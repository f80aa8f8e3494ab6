// Where cache entries and reservations live: in memory (local runs) or in SQL (durable).
import type { SourceTaskExecution } from "./catalog.ts";
import type { CacheKey } from "./key.ts";

export interface CacheEntry {
  key: CacheKey;
  /** Binary core.LiteralMap of the outputs. */
  outputs: Uint8Array;
  sourceExecution: string;
  sourceAction: string;
  /** Absent on entries written before it was recorded. */
  sourceTaskExecution?: SourceTaskExecution;
  createdAt: number;
}

export interface CatalogStorage {
  find(key: CacheKey): Promise<CacheEntry | undefined>;
  /** Most recent entries of the task, newest first (for explaining misses). */
  recent(task: string, limit: number): Promise<CacheKey[]>;
  /** Stores the entry (or keeps an existing one unless `overwrite`); true when `entry` is what is stored now. */
  put(entry: CacheEntry, overwrite: boolean): Promise<boolean | void>;
  delete(key: CacheKey): Promise<boolean>;
  /** Takes the reservation if free, expired, or already ours; returns the holder. */
  reserve(key: CacheKey, owner: string, now: number, ttlMs: number): Promise<{ owner: string; expiresAt: number }>;
  release(key: CacheKey, owner: string): Promise<void>;
}
