// Catalog storage in the shared database (PGlite or PostgreSQL).
import { sql } from "kysely";
import type { Database } from "../db/database.ts";
import type { Migration } from "../db/migrations.ts";
import type { SourceTaskExecution } from "./catalog.ts";
import type { CacheKey } from "./key.ts";
import type { CacheEntry, CatalogStorage } from "./storage.ts";

export const catalogMigrations: Migration[] = [
  {
    package: "@aloft/engine/catalog",
    version: 1,
    name: "cache entries and reservations",
    async up(db) {
      await sql`create table aloft_cache_entries (
        task text not null, version text not null, signature text not null, inputs text not null,
        input_hashes jsonb not null, outputs bytea not null,
        source_execution text not null, source_action text not null, created_at int8 not null,
        primary key (task, version, signature, inputs)
      )`.execute(db);
      await sql`create index aloft_cache_entries_recent on aloft_cache_entries (task, created_at desc)`.execute(db);
      await sql`create table aloft_cache_reservations (
        task text not null, version text not null, signature text not null, inputs text not null,
        owner text not null, expires_at int8 not null,
        primary key (task, version, signature, inputs)
      )`.execute(db);
    },
  },
  {
    package: "@aloft/engine/catalog",
    version: 2,
    name: "cache entries name their source task execution",
    async up(db) {
      await sql`alter table aloft_cache_entries add column source_task_execution jsonb`.execute(db);
    },
  },
];

type Row = Record<string, unknown>;
const keyOf = (r: Row): CacheKey => ({
  task: r.task as string,
  version: r.version as string,
  signature: r.signature as string,
  inputs: r.inputs as string,
  inputHashes: r.input_hashes as Record<string, string>,
});

export class SqlCatalogStorage implements CatalogStorage {
  constructor(private readonly db: Database) {}

  /** Creates the catalog tables (idempotent). */
  async init(): Promise<this> {
    await this.db.migrate(catalogMigrations);
    return this;
  }

  async find(k: CacheKey) {
    const r = await this.db.kysely
      .selectFrom("aloft_cache_entries")
      .selectAll()
      .where("task", "=", k.task)
      .where("version", "=", k.version)
      .where("signature", "=", k.signature)
      .where("inputs", "=", k.inputs)
      .executeTakeFirst();
    if (!r) return undefined;
    const entry: CacheEntry = { key: keyOf(r), outputs: new Uint8Array(r.outputs as Uint8Array), sourceExecution: r.source_execution as string, sourceAction: r.source_action as string, createdAt: Number(r.created_at) };
    if (r.source_task_execution) entry.sourceTaskExecution = r.source_task_execution as SourceTaskExecution;
    return entry;
  }

  async recent(task: string, limit: number) {
    const rows = await this.db.kysely
      .selectFrom("aloft_cache_entries")
      .select(["task", "version", "signature", "inputs", "input_hashes"])
      .where("task", "=", task)
      .orderBy("created_at", "desc")
      .limit(limit)
      .execute();
    return rows.map(keyOf);
  }

  async put(e: CacheEntry, overwrite: boolean) {
    const row = {
      task: e.key.task, version: e.key.version, signature: e.key.signature, inputs: e.key.inputs,
      input_hashes: JSON.stringify(e.key.inputHashes), outputs: e.outputs,
      source_execution: e.sourceExecution, source_action: e.sourceAction, created_at: e.createdAt,
      source_task_execution: e.sourceTaskExecution ? JSON.stringify(e.sourceTaskExecution) : null,
    };
    const rows = await this.db.kysely
      .insertInto("aloft_cache_entries")
      .values(row)
      .onConflict((oc) => {
        const c = oc.columns(["task", "version", "signature", "inputs"]);
        return overwrite
          ? c.doUpdateSet({ outputs: e.outputs, source_execution: e.sourceExecution, source_action: e.sourceAction, source_task_execution: row.source_task_execution, created_at: e.createdAt })
          : c.doNothing();
      })
      .returning("task")
      .execute();
    return rows.length > 0;
  }

  async delete(k: CacheKey) {
    const r = await this.db.kysely
      .deleteFrom("aloft_cache_entries")
      .where("task", "=", k.task)
      .where("version", "=", k.version)
      .where("signature", "=", k.signature)
      .where("inputs", "=", k.inputs)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async reserve(k: CacheKey, owner: string, now: number, ttlMs: number) {
    // One statement: insert, or take over when expired or already ours; otherwise keep the holder.
    const r = await sql<{ owner: string; expires_at: number }>`
      insert into aloft_cache_reservations (task, version, signature, inputs, owner, expires_at)
      values (${k.task}, ${k.version}, ${k.signature}, ${k.inputs}, ${owner}, ${now + ttlMs})
      on conflict (task, version, signature, inputs) do update
        set owner = excluded.owner, expires_at = excluded.expires_at
        where aloft_cache_reservations.owner = excluded.owner or aloft_cache_reservations.expires_at <= ${now}
      returning owner, expires_at`.execute(this.db.kysely);
    const row = r.rows[0];
    if (row) return { owner: row.owner, expiresAt: Number(row.expires_at) };
    const cur = await this.db.kysely
      .selectFrom("aloft_cache_reservations")
      .select(["owner", "expires_at"])
      .where("task", "=", k.task)
      .where("version", "=", k.version)
      .where("signature", "=", k.signature)
      .where("inputs", "=", k.inputs)
      .executeTakeFirstOrThrow();
    return { owner: cur.owner as string, expiresAt: cur.expires_at as number };
  }

  async release(k: CacheKey, owner: string) {
    await this.db.kysely
      .deleteFrom("aloft_cache_reservations")
      .where("task", "=", k.task)
      .where("version", "=", k.version)
      .where("signature", "=", k.signature)
      .where("inputs", "=", k.inputs)
      .where("owner", "=", owner)
      .execute();
  }
}
