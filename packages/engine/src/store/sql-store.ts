// The durable store: every round's changes are written in one transaction with one multi-row
// upsert per table, on PGlite or PostgreSQL alike.
import { CompiledQuery, sql, type Kysely } from "kysely";
import type { Database } from "../db/database.ts";
import type { ActionRecord, AttemptRecord, ExecutionRecord, Phase, SignalRecord } from "../model/action.ts";
import { engineMigrations } from "./migrations.ts";
import type { CommitBatch, EngineStore } from "./store.ts";

// Rows per statement: stays well under PostgreSQL's 65,535 bind parameters.
const CHUNK = 1000;

type Row = Record<string, unknown>;

function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

// Below this many bind parameters a round is written as one statement (PostgreSQL allows 65,535).
const SINGLE_STATEMENT_PARAMS = 30_000;

const EXECUTION_COLS = ["key", "project", "domain", "name", "closure", "inputs_uri", "phase", "outputs_uri", "outputs", "error", "options", "parent_action", "created_at", "updated_at"];
const ACTION_COLS = ["key", "execution", "parent", "kind", "name", "phase", "attempt", "system_failures", "state", "inputs_uri", "outputs_uri", "outputs", "error", "started_at", "updated_at"];
const ATTEMPT_COLS = ["execution", "action", "attempt", "phase", "error", "started_at", "ended_at", "log_uri", "cache_status"];

const statements = new Map<string, string>();

/** `with e as (upsert executions), a as (upsert actions), t as (upsert attempts) select 1`, for these row counts. */
function roundStatement(ne: number, na: number, nt: number): string {
  const shape = `${ne}/${na}/${nt}`;
  let text = statements.get(shape);
  if (text !== undefined) return text;
  let p = 0;
  const part = (name: string, table: string, cols: string[], rows: number, key: string[], update: string[]) => {
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) tuples.push(`(${cols.map(() => `$${++p}`).join(", ")})`);
    return `${name} as (insert into ${table} (${cols.join(", ")}) values ${tuples.join(", ")} on conflict (${key.join(", ")}) do update set ${update
      .map((c) => `${c} = excluded.${c}`)
      .join(", ")} returning 1)`;
  };
  const ctes: string[] = [];
  if (ne) ctes.push(part("e", "aloft_executions", EXECUTION_COLS, ne, ["key"], EXECUTION_UPDATE));
  if (na) ctes.push(part("a", "aloft_actions", ACTION_COLS, na, ["key"], ACTION_UPDATE));
  if (nt) ctes.push(part("t", "aloft_attempts", ATTEMPT_COLS, nt, ["action", "attempt"], ATTEMPT_UPDATE));
  text = `with ${ctes.join(", ")} select 1 as done`;
  // Chains produce a handful of shapes; maps and restarts a few more. Keep the cache bounded.
  if (statements.size > 1000) statements.clear();
  statements.set(shape, text);
  return text;
}

const EXECUTION_UPDATE = ["phase", "outputs_uri", "outputs", "error", "options", "updated_at"];
const ACTION_UPDATE = ["phase", "attempt", "system_failures", "state", "inputs_uri", "outputs_uri", "outputs", "error", "started_at", "updated_at"];
const ATTEMPT_UPDATE = ["phase", "error", "started_at", "ended_at", "log_uri", "cache_status"];

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
    const params = executions.length * 14 + actions.length * 15 + attempts.length * 9;
    if (params <= SINGLE_STATEMENT_PARAMS) {
      // The usual round: one statement whose data-modifying CTEs upsert every table. A single
      // statement is atomic on its own, so this costs one round trip instead of five. Its text
      // depends only on the row counts, so it is built once per shape (no query builder per round).
      if (!executions.length && !actions.length && !attempts.length) return;
      const values: unknown[] = [];
      for (const r of executions) for (const c of EXECUTION_COLS) values.push(r[c]);
      for (const r of actions) for (const c of ACTION_COLS) values.push(r[c]);
      for (const r of attempts) for (const c of ATTEMPT_COLS) values.push(r[c]);
      await this.#k.executeQuery(CompiledQuery.raw(roundStatement(executions.length, actions.length, attempts.length), values));
      return;
    }
    // A large round (a map's thousands of subtasks): one transaction of full-size chunks, each a
    // cached statement text (a query builder tree per 1000 rows weighed tens of MiB at 10,000 items).
    await this.#k.transaction().execute(async (tx) => {
      const run = async (rows: Row[], cols: string[], shape: (n: number) => string) => {
        for (const chunk of chunks(rows)) {
          const values: unknown[] = [];
          for (const r of chunk) for (const c of cols) values.push(r[c]);
          await tx.executeQuery(CompiledQuery.raw(shape(chunk.length), values));
        }
      };
      await run(executions, EXECUTION_COLS, (n) => roundStatement(n, 0, 0));
      await run(actions, ACTION_COLS, (n) => roundStatement(0, n, 0));
      await run(attempts, ATTEMPT_COLS, (n) => roundStatement(0, 0, n));
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
    key: e.key, project: e.project, domain: e.domain, name: e.name, closure: e.closure, inputs_uri: e.inputsUri, phase: e.phase,
    outputs_uri: e.outputsUri, outputs: e.outputs, error: json(e.error), options: json(e.options), parent_action: e.parentAction, created_at: e.createdAt, updated_at: e.updatedAt,
  };
}
function executionFromRow(r: Row): ExecutionRecord {
  return {
    key: r.key as string, project: r.project as string, domain: r.domain as string, name: r.name as string,
    closure: new Uint8Array(r.closure as Uint8Array), inputsUri: r.inputs_uri as string, phase: r.phase as Phase,
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
