// The engine's tables. The server opens the same database with these plus its own migrations.
import { sql } from "kysely";
import type { Migration } from "../db/migrations.ts";

export const ENGINE_PACKAGE = "@aloft/engine";

export const engineMigrations: Migration[] = [
  {
    package: ENGINE_PACKAGE,
    version: 1,
    name: "executions, actions, attempts, signals",
    async up(db) {
      await sql`create table aloft_executions (
        key text primary key,
        project text not null,
        domain text not null,
        name text not null,
        closure bytea not null,
        inputs_uri text not null,
        phase text not null,
        outputs_uri text,
        error jsonb,
        options jsonb not null,
        parent_action text,
        created_at int8 not null,
        updated_at int8 not null
      )`.execute(db);
      await sql`create index aloft_executions_unfinished on aloft_executions (phase) where phase in ('QUEUED', 'RUNNING')`.execute(db);
      await sql`create table aloft_actions (
        key text primary key,
        execution text not null,
        parent text,
        kind text not null,
        name text not null,
        phase text not null,
        attempt integer not null,
        system_failures integer not null,
        state jsonb not null,
        inputs_uri text,
        outputs_uri text,
        error jsonb,
        started_at int8,
        updated_at int8 not null
      )`.execute(db);
      await sql`create index aloft_actions_execution on aloft_actions (execution)`.execute(db);
      await sql`create table aloft_attempts (
        execution text not null,
        action text not null,
        attempt integer not null,
        phase text not null,
        error jsonb,
        started_at int8 not null,
        ended_at int8,
        log_uri text,
        cache_status text,
        primary key (action, attempt)
      )`.execute(db);
      await sql`create index aloft_attempts_execution on aloft_attempts (execution)`.execute(db);
      await sql`create table aloft_signals (
        execution text not null,
        signal_id text not null,
        value bytea not null,
        primary key (execution, signal_id)
      )`.execute(db);
    },
  },
  {
    package: ENGINE_PACKAGE,
    version: 2,
    name: "inline outputs",
    // Small outputs live in the record, committed with the phase that makes them visible: no
    // outputs.pb (and its fsyncs) per node. Large outputs still go to the blob store.
    async up(db) {
      await sql`alter table aloft_actions add column outputs bytea`.execute(db);
      await sql`alter table aloft_executions add column outputs bytea`.execute(db);
    },
  },
  {
    package: ENGINE_PACKAGE,
    version: 3,
    name: "inline execution inputs",
    // Small execution inputs live in the record too: no inputs.pb (and its fsyncs) per execution.
    async up(db) {
      await sql`alter table aloft_executions add column inputs bytea`.execute(db);
    },
  },
];
