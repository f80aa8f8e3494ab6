// Event ingestion in batches. Every workflow, node and task event, whether one CreateNodeEvent request or the
// hundreds the engine delivers after a commit, is applied here: one transaction per flush reads the affected
// records (one SELECT per table), applies the events in order in memory with flyteadmin's rules, and writes each
// changed record once (one upsert per table). Each event keeps its own outcome: a refused event changes nothing
// and fails only its own request.
import { create, fromBinary, toBinary, clone } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { CompiledQuery, sql, type DatabaseConnection, type Kysely, type QueryResult, type RawBuilder } from "kysely";
import { admin, core, type event } from "@aloft/idl";
import { NotFoundError } from "../../errors.ts";
import type { AdminContext } from "../../context.ts";
import type { AdminTables, ExecutionRow, NodeExecutionRow, TaskExecutionRow } from "../../db/schema.ts";
import { requireIdentifier, requirePresent, requireString, type Key } from "../validate.ts";
import { executionIdentifier, requireExecutionId, showExec, type ExecKey } from "../executions/rows.ts";
import { applyWorkflowEvent, type PhaseListener } from "./workflow-event.ts";
import { applyNodeEvent, type NodeState } from "./node-event.ts";
import { applyTaskEvent, type TaskState } from "./task-event.ts";
import { Group } from "../group.ts";

export type AnyEvent = { kind: "workflow"; e: event.WorkflowExecutionEvent } | { kind: "node"; e: event.NodeExecutionEvent } | { kind: "task"; e: event.TaskExecutionEvent };

/** An event checked for its identifying fields, ready to apply. */
type Parsed =
  | { kind: "workflow"; e: event.WorkflowExecutionEvent; exec: ExecKey; occurred: Date }
  | { kind: "node"; e: event.NodeExecutionEvent; exec: ExecKey; nodeId: string; occurred: Date }
  | { kind: "task"; e: event.TaskExecutionEvent; exec: ExecKey; nodeId: string; task: Key; occurred: Date };

/** Checks an event's identifying fields; throws the same errors the single-event handlers always raised. */
function parse(ctx: AdminContext, item: AnyEvent): Parsed {
  if (item.kind === "workflow") {
    const ev = item.e;
    const exec = requireExecutionId(ev.executionId, "event.execution_id");
    return { kind: "workflow", e: ev, exec, occurred: ev.occurredAt ? timestampDate(ev.occurredAt) : ctx.now() };
  }
  if (item.kind === "node") {
    const ev = item.e;
    const id = requirePresent(ev.id, "event.id");
    const exec = requireExecutionId(id.executionId, "event.id.execution_id");
    const nodeId = requireString(id.nodeId, "event.id.node_id");
    return { kind: "node", e: ev, exec, nodeId, occurred: ev.occurredAt ? timestampDate(ev.occurredAt) : ctx.now() };
  }
  const ev = item.e;
  const task = requireIdentifier(ev.taskId, "event.task_id", core.ResourceType.TASK);
  const parent = requirePresent(ev.parentNodeExecutionId, "event.parent_node_execution_id");
  const exec = requireExecutionId(parent.executionId, "event.parent_node_execution_id.execution_id");
  const nodeId = requireString(parent.nodeId, "event.parent_node_execution_id.node_id");
  return { kind: "task", e: ev, exec, nodeId, task, occurred: ev.occurredAt ? timestampDate(ev.occurredAt) : ctx.now() };
}

const execKeyOf = (k: ExecKey) => `${k.project}\u0000${k.domain}\u0000${k.name}`;
const nodeKeyOf = (k: ExecKey, nodeId: string) => `${execKeyOf(k)}\u0000${nodeId}`;
const taskKeyOf = (k: ExecKey, nodeId: string, t: Key, attempt: number) => `${nodeKeyOf(k, nodeId)}\u0000${t.project}\u0000${t.domain}\u0000${t.name}\u0000${t.version}\u0000${attempt}`;

/** An execution record as the batch holds it: the row, and its closure decoded once for all its events. */
export interface ExecState {
  row: ExecutionRow;
  closure: admin.ExecutionClosure;
}

interface Phase {
  row: ExecutionRow;
  closure: admin.ExecutionClosure;
  previous: core.WorkflowExecution_Phase;
}

// Rows per statement: the widest table has 31 columns, and PostgreSQL takes at most 65535 parameters.
const CHUNK = 1000;
const chunks = <T>(xs: T[]) => Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, i) => xs.slice(i * CHUNK, (i + 1) * CHUNK));

const EXEC_COLS = ["project", "domain", "name"] as const;
const NODE_COLS = ["project", "domain", "name", "node_id"] as const;
const TASK_COLS = ["project", "domain", "name", "node_id", "task_project", "task_domain", "task_name", "task_version", "retry_attempt"] as const;

/** The SELECT … FOR UPDATE of the records with these keys, one statement per chunk of keys. */
function selectQueries(db: Kysely<AdminTables>, table: "admin_executions" | "admin_node_executions" | "admin_task_executions", cols: readonly string[], tuples: unknown[][]): CompiledQuery[] {
  return chunks(tuples).map((part) => {
    // Keys as one array per column, joined through unnest: a (a, b, …) IN ((…), (…)) list costs PostgreSQL
    // milliseconds to plan at 20 keys and a sixth of a second at 500; this plans in well under one.
    const arrays = cols.map((c, j) => sql`${part.map((t) => t[j])}::${sql.raw(c === "retry_attempt" ? "int[]" : "text[]")}`);
    const ref = sql.join(cols.map((c) => sql.ref(c)));
    // Locked in key order, so two flushes (or a flush and a terminate) touching the same records cannot deadlock.
    return sql`select t.* from ${sql.table(table)} as t join unnest(${sql.join(arrays)}) as k(${ref}) using (${ref})
      order by ${sql.join(cols.map((c) => sql.ref(`t.${c}`)))} for update of t`.compile(db);
  });
}

function upsertQuery(db: Kysely<AdminTables>, table: "admin_node_executions" | "admin_task_executions", key: readonly string[], rows: object[]) {
  const cols = Object.keys(rows[0]!).filter((c) => !key.includes(c) && c !== "created_at");
  return db
    .insertInto(table)
    .values(rows as never)
    .onConflict((oc) => oc.columns(key as never).doUpdateSet((eb) => Object.fromEntries(cols.map((c) => [c, eb.ref(`excluded.${c}` as never)])) as never));
}

/** Writes what events change in execution records (never the spec, which they do not touch) in one UPDATE. */
function updateExecutionsQuery(rows: ExecutionRow[]): RawBuilder<unknown> {
  const values = sql.join(
    rows.map((r) => sql`(${r.project}::text, ${r.domain}::text, ${r.name}::text, ${r.phase}::text, ${r.closure}::bytea, ${r.started_at}::timestamptz, ${r.duration_ms}::bigint, ${r.error_kind}::text, ${r.error_code}::text, ${r.updated_at}::timestamptz)`),
  );
  return sql`update admin_executions as t set phase = v.phase, closure = v.closure, started_at = v.started_at, duration_ms = v.duration_ms, error_kind = v.error_kind, error_code = v.error_code, updated_at = v.updated_at
      from (values ${values}) as v(project, domain, name, phase, closure, started_at, duration_ms, error_kind, error_code, updated_at)
      where t.project = v.project and t.domain = v.domain and t.name = v.name`;
}

// Below this many bind parameters a flush writes all three tables in one statement (PostgreSQL allows 65535).
const ONE_WRITE_PARAMS = 30_000;

/**
 * The statements writing the changed records: usually one, whose data-modifying CTEs update or upsert every table
 * (one statement instead of three); a very large flush goes table by table in chunks.
 */
function writeQueries(db: Kysely<AdminTables>, execs: ExecutionRow[], nodes: NodeExecutionRow[], tasks: TaskExecutionRow[]): CompiledQuery[] {
  const params = execs.length * 10 + (nodes.length ? nodes.length * Object.keys(nodes[0]!).length : 0) + (tasks.length ? tasks.length * Object.keys(tasks[0]!).length : 0);
  if (params > ONE_WRITE_PARAMS) {
    return [
      ...chunks(execs).map((part) => updateExecutionsQuery(part).compile(db)),
      ...chunks(nodes).map((part) => upsertQuery(db, "admin_node_executions", NODE_COLS, part).compile()),
      ...chunks(tasks).map((part) => upsertQuery(db, "admin_task_executions", TASK_COLS, part).compile()),
    ];
  }
  const ctes: RawBuilder<unknown>[] = [];
  if (execs.length) ctes.push(sql`e as (${updateExecutionsQuery(execs)} returning 1)`);
  if (nodes.length) ctes.push(sql`n as (${upsertQuery(db, "admin_node_executions", NODE_COLS, nodes).returning(sql<number>`1`.as("one"))})`);
  if (tasks.length) ctes.push(sql`k as (${upsertQuery(db, "admin_task_executions", TASK_COLS, tasks).returning(sql<number>`1`.as("one"))})`);
  return ctes.length ? [sql`with ${sql.join(ctes)} select 1 as done`.compile(db)] : [];
}

const BEGIN = CompiledQuery.raw("begin");
const COMMIT = CompiledQuery.raw("commit");
const ROLLBACK = CompiledQuery.raw("rollback");

// PGlite's connection queues statements for its worker in the order they come; node-postgres deprecates a query
// sent while another runs, so on PostgreSQL (a pool, a round trip of a fraction of PGlite's) they go one by one.
const pipelines = (conn: DatabaseConnection) => conn.constructor.name === "PGliteConnection";

/**
 * Sends the statements to the connection back to back, without waiting for each answer before sending the next (the
 * connection still runs them one after another, in this order). Resolves with every result once all are answered,
 * or rejects with the first failure: in a transaction, the statements after a failed one fail or do nothing.
 */
async function pipeline(conn: DatabaseConnection, queries: CompiledQuery[]): Promise<QueryResult<unknown>[]> {
  if (!pipelines(conn)) {
    const out: QueryResult<unknown>[] = [];
    for (const q of queries) out.push(await conn.executeQuery(q));
    return out;
  }
  const settled = await Promise.allSettled(queries.map((q) => conn.executeQuery(q)));
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((r) => (r as PromiseFulfilledResult<QueryResult<unknown>>).value);
}

/**
 * Applies events in order in one transaction and returns each one's outcome (undefined when it was applied).
 * Phase changes of executions go to onPhase after the commit, one call per applied workflow event.
 */
export async function applyEvents(ctx: AdminContext, items: AnyEvent[], onPhase?: PhaseListener): Promise<(Error | undefined)[]> {
  const results: (Error | undefined)[] = new Array(items.length).fill(undefined);
  const parsed: (Parsed | undefined)[] = items.map((item, i) => {
    try {
      return parse(ctx, item);
    } catch (e) {
      results[i] = e as Error;
      return undefined;
    }
  });
  const execKeys = new Map<string, ExecKey>();
  const nodeKeys = new Map<string, unknown[]>();
  const taskKeys = new Map<string, unknown[]>();
  for (const p of parsed) {
    if (!p) continue;
    execKeys.set(execKeyOf(p.exec), p.exec);
    if (p.kind !== "workflow") nodeKeys.set(nodeKeyOf(p.exec, p.nodeId), [p.exec.project, p.exec.domain, p.exec.name, p.nodeId]);
    if (p.kind === "task") {
      const t = p.task;
      taskKeys.set(taskKeyOf(p.exec, p.nodeId, t, p.e.retryAttempt), [p.exec.project, p.exec.domain, p.exec.name, p.nodeId, t.project, t.domain, t.name, t.version, p.e.retryAttempt]);
    }
  }
  if (execKeys.size === 0) return results;
  const phases: Phase[] = [];
  // One transaction in two round trips: begin and every read are sent together, then every write and the commit.
  // Each round trip through the one PGlite connection holds it (and the worker waits) while this thread answers.
  await ctx.db.getExecutor().provideConnection(async (conn) => {
    phases.length = 0;
    const attempt: (Error | undefined)[] = results.slice();
    const reads = [
      selectQueries(ctx.db, "admin_executions", EXEC_COLS, [...execKeys.values()].map((k) => [k.project, k.domain, k.name])),
      selectQueries(ctx.db, "admin_node_executions", NODE_COLS, [...nodeKeys.values()]),
      selectQueries(ctx.db, "admin_task_executions", TASK_COLS, [...taskKeys.values()]),
    ];
    try {
      const answers = await pipeline(conn, [BEGIN, ...reads.flat()]);
      // Rows of each table, in the order its chunks were sent (after begin's answer).
      let at = 1;
      const rowsOf = <T>(n: number) => answers.slice(at, (at += n)).flatMap((r) => r.rows as T[]);
      const execRows = rowsOf<ExecutionRow>(reads[0]!.length);
      const nodeRows = rowsOf<NodeExecutionRow>(reads[1]!.length);
      const taskRows = rowsOf<TaskExecutionRow>(reads[2]!.length);
      const execs = new Map<string, { state: ExecState | undefined; row: ExecutionRow; dirty: boolean }>();
      for (const row of execRows) execs.set(execKeyOf(row), { state: undefined, row, dirty: false });
      const nodes = new Map<string, { state: NodeState; dirty: boolean }>();
      for (const row of nodeRows) nodes.set(nodeKeyOf(row, row.node_id), { state: { row, closure: undefined }, dirty: false });
      const tasks = new Map<string, { state: TaskState; dirty: boolean }>();
      for (const row of taskRows) tasks.set(taskKeyOf(row, row.node_id, { project: row.task_project, domain: row.task_domain, name: row.task_name, version: row.task_version }, row.retry_attempt), { state: { row, closure: undefined }, dirty: false });

      parsed.forEach((p, i) => {
        if (!p) return;
        try {
          if (p.kind === "workflow") {
            const x = execs.get(execKeyOf(p.exec));
            if (!x) throw new NotFoundError(`execution ${showExec(p.exec)} not found`);
            x.state ??= { row: x.row, closure: fromBinary(admin.ExecutionClosureSchema, x.row.closure) };
            const previous = applyWorkflowEvent(x.state, p.e, p.exec, p.occurred);
            x.dirty = true;
            if (onPhase) phases.push({ row: x.state.row, closure: clone(admin.ExecutionClosureSchema, x.state.closure), previous });
          } else if (p.kind === "node") {
            const k = nodeKeyOf(p.exec, p.nodeId);
            const x = nodes.get(k);
            // A node record is only created for an execution that exists (checked once, when the record is created).
            if (!x && !execs.has(execKeyOf(p.exec))) throw new NotFoundError(`execution ${showExec(p.exec)} not found`);
            const state = applyNodeEvent(x?.state, p.e, p.exec, p.nodeId, p.occurred);
            if (x) x.dirty = true;
            else nodes.set(k, { state, dirty: true });
          } else {
            const k = taskKeyOf(p.exec, p.nodeId, p.task, p.e.retryAttempt);
            const x = tasks.get(k);
            // A task record is only created under a node record that exists (checked once, when it is created).
            if (!x && !nodes.has(nodeKeyOf(p.exec, p.nodeId))) throw new NotFoundError(`node execution ${p.nodeId} of ${showExec(p.exec)} not found; its node event must come first`);
            const state = applyTaskEvent(x?.state, p.e, p.exec, p.nodeId, p.task, p.occurred);
            if (x) x.dirty = true;
            else tasks.set(k, { state, dirty: true });
          }
        } catch (e) {
          attempt[i] = e as Error;
        }
      });

      const execOut: ExecutionRow[] = [];
      for (const x of execs.values()) {
        if (!x.dirty || !x.state) continue;
        x.state.row.closure = toBinary(admin.ExecutionClosureSchema, x.state.closure);
        execOut.push(x.state.row);
      }
      const nodeOut: NodeExecutionRow[] = [];
      for (const x of nodes.values()) {
        if (!x.dirty) continue;
        if (x.state.closure) x.state.row.closure = toBinary(admin.NodeExecutionClosureSchema, x.state.closure);
        nodeOut.push(x.state.row);
      }
      const taskOut: TaskExecutionRow[] = [];
      for (const x of tasks.values()) {
        if (!x.dirty) continue;
        if (x.state.closure) x.state.row.closure = toBinary(admin.TaskExecutionClosureSchema, x.state.closure);
        taskOut.push(x.state.row);
      }
      // A failed write aborts the transaction, and the commit sent after it then rolls back.
      await pipeline(conn, [...writeQueries(ctx.db, execOut, nodeOut, taskOut), COMMIT]);
    } catch (e) {
      // After a failed read or write (or an error in between) nothing of this flush may stay.
      await conn.executeQuery(ROLLBACK).catch(() => {});
      throw e;
    }
    attempt.forEach((r, i) => (results[i] = r));
  });
  if (onPhase && phases.length) {
    // Spec decoded once per execution, however many of its phase changes this batch holds.
    const specs = new Map<ExecutionRow, admin.ExecutionSpec>();
    for (const ph of phases) {
      let spec = specs.get(ph.row);
      if (!spec) specs.set(ph.row, (spec = fromBinary(admin.ExecutionSpecSchema, ph.row.spec)));
      onPhase(create(admin.ExecutionSchema, { id: executionIdentifier(ph.row), spec, closure: ph.closure }), ph.previous);
    }
  }
  return results;
}

/**
 * Joins concurrent callers into one applyEvents per flush (a `Group`): while one flush runs, arriving events wait
 * and go together in the next. One batcher per context, so every event of a server goes through one queue.
 */
export class EventBatcher {
  readonly #group: Group<AnyEvent, undefined>;
  constructor(
    private readonly ctx: () => AdminContext,
    private readonly onPhase?: PhaseListener,
  ) {
    this.#group = new Group((items) => this.#flush(items));
  }

  /** Applies the events (in order, after anything queued before them) and returns each one's outcome (never rejects). */
  submit(items: AnyEvent[]): Promise<(Error | undefined)[]> {
    return Promise.all(items.map((item) => this.#group.run(item).then(() => undefined, (e: unknown) => e as Error)));
  }

  async one(item: AnyEvent): Promise<void> {
    const [err] = await this.submit([item]);
    if (err) throw err;
  }

  async #flush(items: AnyEvent[]): Promise<(Error | undefined)[]> {
    try {
      return await applyEvents(this.ctx(), items, this.onPhase);
    } catch (e) {
      if (items.length === 1) return [e as Error];
      // The database refused the flush (a value it cannot store, a lost connection): each event is tried alone,
      // in order, so one bad request fails only itself and the others are still recorded.
      const out: (Error | undefined)[] = [];
      for (const item of items) out.push(await applyEvents(this.ctx(), [item], this.onPhase).then(([r]) => r, (err: Error) => err));
      return out;
    }
  }
}

const batchers = new WeakMap<object, WeakMap<PhaseListener | typeof noListener, EventBatcher>>();
const noListener = () => {};

/** The batcher of a context for a phase listener (the gRPC handlers and the engine share one). */
export function eventBatcher(ctx: AdminContext, onPhase?: PhaseListener): EventBatcher {
  let byListener = batchers.get(ctx);
  if (!byListener) batchers.set(ctx, (byListener = new WeakMap()));
  const k = onPhase ?? noListener;
  let b = byListener.get(k);
  if (!b) byListener.set(k, (b = new EventBatcher(() => ctx, onPhase)));
  return b;
}
