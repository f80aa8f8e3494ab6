// The durable store: every round's changes are written in one statement that upserts every table,
// on PGlite or PostgreSQL alike.
import { CompiledQuery, sql, type Kysely } from "kysely";
import { columnArrays, upsertSql, type UpsertShape } from "../db/bulk.ts";
import type { Database } from "../db/database.ts";
import type { ActionRecord, AttemptRecord, ExecutionRecord, Phase, SignalRecord } from "../model/action.ts";
import { engineMigrations } from "./migrations.ts";
import type { CommitBatch, EngineStore } from "./store.ts";

// Rows per table per statement: a large round (a map's thousands of subtasks) goes in chunks, so no
// one statement's parameters grow without bound.
const CHUNK = 1000;

type Row = Record<string, unknown>;

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

const EXECUTIONS: UpsertShape = {
  table: "aloft_executions",
  columns: [
    ["key", "text"], ["project", "text"], ["domain", "text"], ["name", "text"], ["closure", "bytea"], ["inputs_uri", "text"], ["inputs", "bytea"], ["phase", "text"],
    ["outputs_uri", "text"], ["outputs", "bytea"], ["error", "jsonb"], ["options", "jsonb"], ["parent_action", "text"], ["created_at", "int8"], ["updated_at", "int8"],
  ],
  key: ["key"],
  update: ["phase", "outputs_uri", "outputs", "error", "options", "updated_at"],
};
const ACTIONS: UpsertShape = {
  table: "aloft_actions",
  columns: [
    ["key", "text"], ["execution", "text"], ["parent", "text"], ["kind", "text"], ["name", "text"], ["phase", "text"], ["attempt", "int4"], ["system_failures", "int4"],
    ["state", "jsonb"], ["inputs_uri", "text"], ["outputs_uri", "text"], ["outputs", "bytea"], ["error", "jsonb"], ["started_at", "int8"], ["updated_at", "int8"],
  ],
  key: ["key"],
  update: ["phase", "attempt", "system_failures", "state", "inputs_uri", "outputs_uri", "outputs", "error", "started_at", "updated_at"],
};
const ATTEMPTS: UpsertShape = {
  table: "aloft_attempts",
  columns: [
    ["execution", "text"], ["action", "text"], ["attempt", "int4"], ["phase", "text"], ["error", "jsonb"], ["started_at", "int8"], ["ended_at", "int8"],
    ["log_uri", "text"], ["cache_status", "text"],
  ],
  key: ["action", "attempt"],
  update: ["phase", "error", "started_at", "ended_at", "log_uri", "cache_status"],
};

/**
 * A round's one statement: `with e as (upsert executions), a as (upsert actions), t as (upsert
 * attempts) select 1`, every column an array parameter. Its text never changes (a table with no
 * rows this round gets empty arrays), so the database keeps it prepared, and one statement is
 * atomic on its own.
 */
const ROUND_STATEMENT = (() => {
  let p = 1;
  const part = (name: string, shape: UpsertShape) => {
    const text = `${name} as (${upsertSql(shape, p)} returning 1)`;
    p += shape.columns.length;
    return text;
  };
  return `with ${part("e", EXECUTIONS)}, ${part("a", ACTIONS)}, ${part("t", ATTEMPTS)} select 1 as done`;
})();

const roundParams = (executions: Row[], actions: Row[], attempts: Row[]): unknown[] => [
  ...columnArrays(executions, EXECUTIONS.columns),
  ...columnArrays(actions, ACTIONS.columns),
  ...columnArrays(attempts, ATTEMPTS.columns),
];

const slice = (rows: Row[], i: number) => rows.slice(i * CHUNK, (i + 1) * CHUNK);

export class SqlStore implements EngineStore {
  readonly durable = true;
  readonly #k: Kysely<any>;
  constructor(private readonly db: Database) {
    this.#k = db.kysely;
  }

  async init(): Promise<void> {
    await this.db.migrate(engineMigrations);
  }

  async commit(batch: CommitBatch): Promise<void> {
    const executions = batch.executions.map(executionRow);
    const actions = batch.actions.map(actionRow);
    const attempts = dedupeAttempts(batch.attempts).map(attemptRow);
    const statements = Math.ceil(Math.max(executions.length, actions.length, attempts.length) / CHUNK);
    if (statements === 0) return;
    if (statements === 1) {
      await this.#k.executeQuery(CompiledQuery.raw(ROUND_STATEMENT, roundParams(executions, actions, attempts)));
      return;
    }
    // A large round: the same statement over chunks of each table, in one transaction.
    await this.#k.transaction().execute(async (tx) => {
      for (let i = 0; i < statements; i++) {
        await tx.executeQuery(CompiledQuery.raw(ROUND_STATEMENT, roundParams(slice(executions, i), slice(actions, i), slice(attempts, i))));
      }
    });
  }

  async getExecution(key: string) {
    const r = await this.#k.selectFrom("aloft_executions").selectAll().where("key", "=", key).executeTakeFirst();
    return r ? executionFromRow(r) : undefined;
  }

  async getExecutions(keys: readonly string[]) {
    if (keys.length === 0) return [];
    const rows = await this.#k.selectFrom("aloft_executions").selectAll().where("key", "=", sql<string>`any(${[...keys]}::text[])`).execute();
    return rows.map(executionFromRow);
  }

  async listUnfinishedExecutions() {
    const rows = await this.#k.selectFrom("aloft_executions").selectAll().where("phase", "in", ["QUEUED", "RUNNING"]).orderBy("created_at").execute();
    return rows.map(executionFromRow);
  }

  async listActions(execution: string) {
    const rows = await this.#k.selectFrom("aloft_actions").selectAll().where("execution", "=", execution).orderBy("key").execute();
    return rows.map(actionFromRow);
  }

  async listAttempts(execution: string) {
    const rows = await this.#k.selectFrom("aloft_attempts").selectAll().where("execution", "=", execution).orderBy("action").orderBy("attempt").execute();
    return rows.map(attemptFromRow);
  }

  async listRunningAttempts(execution: string) {
    const rows = await this.#k.selectFrom("aloft_attempts").selectAll().where("execution", "=", execution).where("phase", "=", "RUNNING").execute();
    return rows.map(attemptFromRow);
  }

  async putSignal(s: SignalRecord) {
    await this.#k
      .insertInto("aloft_signals")
      .values({ execution: s.execution, signal_id: s.signalId, value: s.value })
      .onConflict((oc) => oc.columns(["execution", "signal_id"]).doUpdateSet({ value: s.value }))
      .execute();
  }

  async getSignal(execution: string, signalId: string) {
    const r = await this.#k.selectFrom("aloft_signals").selectAll().where("execution", "=", execution).where("signal_id", "=", signalId).executeTakeFirst();
    return r ? { execution, signalId, value: new Uint8Array(r.value as Uint8Array) } : undefined;
  }

  async close() {
    // The Database belongs to whoever opened it (it may be shared with the server).
  }
}

/** A round may record an attempt's start and end; one statement cannot upsert a key twice. */
function dedupeAttempts(attempts: AttemptRecord[]): AttemptRecord[] {
  const m = new Map<string, AttemptRecord>();
  for (const a of attempts) m.set(`${a.action}#${a.attempt}`, a);
  return [...m.values()];
}

const bytesOrNull = (v: unknown): Uint8Array | null => (v === null || v === undefined ? null : new Uint8Array(v as Uint8Array));

function executionRow(e: ExecutionRecord): Row {
  return {
    key: e.key, project: e.project, domain: e.domain, name: e.name, closure: e.closure, inputs_uri: e.inputsUri, inputs: e.inputs, phase: e.phase,
    outputs_uri: e.outputsUri, outputs: e.outputs, error: json(e.error), options: json(e.options), parent_action: e.parentAction, created_at: e.createdAt, updated_at: e.updatedAt,
  };
}
function executionFromRow(r: Row): ExecutionRecord {
  return {
    key: r.key as string, project: r.project as string, domain: r.domain as string, name: r.name as string,
    closure: new Uint8Array(r.closure as Uint8Array), inputsUri: r.inputs_uri as string, inputs: bytesOrNull(r.inputs), phase: r.phase as Phase,
    outputsUri: (r.outputs_uri as string | null) ?? null, outputs: bytesOrNull(r.outputs), error: (r.error as ExecutionRecord["error"]) ?? null,
    options: (r.options as ExecutionRecord["options"]) ?? {}, parentAction: (r.parent_action as string | null) ?? null,
    createdAt: r.created_at as number, updatedAt: r.updated_at as number,
  };
}
function actionRow(a: ActionRecord): Row {
  return {
    key: a.key, execution: a.execution, parent: a.parent, kind: a.kind, name: a.name, phase: a.phase, attempt: a.attempt,
    system_failures: a.systemFailures, state: json(a.state), inputs_uri: a.inputsUri, outputs_uri: a.outputsUri, outputs: a.outputs, error: json(a.error),
    started_at: a.startedAt, updated_at: a.updatedAt,
  };
}
function actionFromRow(r: Row): ActionRecord {
  return {
    key: r.key as string, execution: r.execution as string, parent: (r.parent as string | null) ?? null, kind: r.kind as ActionRecord["kind"],
    name: r.name as string, phase: r.phase as Phase, attempt: r.attempt as number, systemFailures: r.system_failures as number,
    state: (r.state as ActionRecord["state"]) ?? {}, inputsUri: (r.inputs_uri as string | null) ?? null, outputsUri: (r.outputs_uri as string | null) ?? null,
    outputs: bytesOrNull(r.outputs), error: (r.error as ActionRecord["error"]) ?? null, startedAt: (r.started_at as number | null) ?? null, updatedAt: r.updated_at as number,
  };
}
function attemptRow(a: AttemptRecord): Row {
  return {
    execution: a.execution, action: a.action, attempt: a.attempt, phase: a.phase, error: json(a.error), started_at: a.startedAt,
    ended_at: a.endedAt, log_uri: a.logUri, cache_status: a.cacheStatus,
  };
}
function attemptFromRow(r: Row): AttemptRecord {
  return {
    execution: r.execution as string, action: r.action as string, attempt: r.attempt as number, phase: r.phase as Phase,
    error: (r.error as AttemptRecord["error"]) ?? null, startedAt: r.started_at as number, endedAt: (r.ended_at as number | null) ?? null,
    logUri: (r.log_uri as string | null) ?? null, cacheStatus: (r.cache_status as string | null) ?? null,
  };
}
