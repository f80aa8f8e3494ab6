// Event ingestion in batches. Every workflow, node and task event, whether one CreateNodeEvent request or the
// hundreds the engine delivers after a commit, is applied here: one transaction per flush reads the affected
// records (one SELECT per table), applies the events in order in memory with flyteadmin's rules, and writes each
// changed record once (one upsert per table). Each event keeps its own outcome: a refused event changes nothing
// and fails only its own request.
import { create, fromBinary, toBinary, clone } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { CompiledQuery, sql, type DatabaseConnection, type Kysely, type QueryResult } from "kysely";
import { admin, core, type event } from "@aloft/idl";
import { acceptsPipelinedStatements, columnArrays, unnestOf, upsertSql, type Columns, type UpsertShape } from "@aloft/engine";
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

// Keys or rows per statement, so no one statement's parameters grow without bound.
const CHUNK = 1000;
const chunks = <T>(xs: T[]) => Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, i) => xs.slice(i * CHUNK, (i + 1) * CHUNK));

export const EXEC_COLS = ["project", "domain", "name"] as const;
export const NODE_COLS = ["project", "domain", "name", "node_id"] as const;
export const TASK_COLS = ["project", "domain", "name", "node_id", "task_project", "task_domain", "task_name", "task_version", "retry_attempt"] as const;

/** The SELECT … FOR UPDATE of the records with these keys, one statement per chunk of keys. */
export function selectQueries(db: Kysely<AdminTables>, table: "admin_executions" | "admin_node_executions" | "admin_task_executions", cols: readonly string[], tuples: unknown[][]): CompiledQuery[] {
  // Locked in key order, so two flushes (or a flush and a terminate) touching the same records cannot deadlock.
  const sorted = [...tuples].sort(compareTuples);
  return chunks(sorted).map((part) => {
    // Keys as one array per column, unnested: a (a, b, …) IN ((…), (…)) list costs PostgreSQL milliseconds to plan
    // at 20 keys and a sixth of a second at 500; this plans in well under one. Each key is looked up through the
    // primary key by a LATERAL subquery: as a join, the planner preferred hashing the keys and reading the whole
    // table (on PGlite, milliseconds per flush, growing with every execution ever run).
    const arrays = cols.map((c, j) => sql`${part.map((t) => t[j])}::${sql.raw(c === "retry_attempt" ? "int[]" : "text[]")}`);
    const ref = sql.join(cols.map((c) => sql.ref(c)));
    const match = sql.join(cols.map((c) => sql`t.${sql.ref(c)} = k.${sql.ref(c)}`), sql` and `);
    return sql`select r.* from unnest(${sql.join(arrays)}) with ordinality as k(${ref}, ord)
      cross join lateral (select t.* from ${sql.table(table)} as t where ${match} for update of t) as r
      order by k.ord`.compile(db);
  });
}

/** One order for key tuples, the same in every process, so lockers never wait on each other in a cycle. */
function compareTuples(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/** On conflict every column but the key and created_at takes the new row's value. */
const updatable = (columns: Columns, key: readonly string[]) => columns.map(([c]) => c).filter((c) => !key.includes(c) && c !== "created_at");

const NODE_COLUMNS: Columns = [
    ["project", "text"], ["domain", "text"], ["name", "text"], ["node_id", "text"], ["phase", "text"], ["closure", "bytea"], ["metadata", "bytea"],
    ["input_uri", "text"], ["input_data", "bytea"], ["parent_node_id", "text"], ["dynamic_workflow", "bytea"], ["error_kind", "text"], ["error_code", "text"],
    ["cache_status", "text"], ["started_at", "timestamptz"], ["duration_ms", "int8"], ["event_time_ms", "int8"], ["created_at", "timestamptz"], ["updated_at", "timestamptz"],
];
const NODE_ROW: UpsertShape = { table: "admin_node_executions", columns: NODE_COLUMNS, key: NODE_COLS, update: updatable(NODE_COLUMNS, NODE_COLS) };

const TASK_COLUMNS: Columns = [
    ["project", "text"], ["domain", "text"], ["name", "text"], ["node_id", "text"], ["task_project", "text"], ["task_domain", "text"], ["task_name", "text"],
    ["task_version", "text"], ["retry_attempt", "int4"], ["phase", "text"], ["phase_version", "int4"], ["closure", "bytea"], ["input_uri", "text"],
    ["input_data", "bytea"], ["started_at", "timestamptz"], ["duration_ms", "int8"], ["event_time_ms", "int8"], ["created_at", "timestamptz"], ["updated_at", "timestamptz"],
];
const TASK_ROW: UpsertShape = { table: "admin_task_executions", columns: TASK_COLUMNS, key: TASK_COLS, update: updatable(TASK_COLUMNS, TASK_COLS) };

/** What events change in an execution record (never the spec, which they do not touch). */
const EXEC_UPDATE: Columns = [
  ["project", "text"], ["domain", "text"], ["name", "text"], ["phase", "text"], ["closure", "bytea"], ["started_at", "timestamptz"], ["duration_ms", "int8"],
  ["error_kind", "text"], ["error_code", "text"], ["updated_at", "timestamptz"],
];

/**
 * The statement writing a flush's changed records: data-modifying CTEs update the executions and upsert the node and
 * task records, every column an array parameter. Its text never changes (a table with nothing to write gets empty
 * arrays), so the database keeps it prepared.
 */
const WRITE_STATEMENT = (() => {
  const set = EXEC_UPDATE.slice(3).map(([c]) => `${c} = v.${c}`).join(", ");
  const execs = `update admin_executions as t set ${set} from ${unnestOf(EXEC_UPDATE, 1)} as v(${EXEC_UPDATE.map(([c]) => c).join(", ")})
      where t.project = v.project and t.domain = v.domain and t.name = v.name`;
  const nodesAt = 1 + EXEC_UPDATE.length;
  const tasksAt = nodesAt + NODE_ROW.columns.length;
  return `with e as (${execs} returning 1), n as (${upsertSql(NODE_ROW, nodesAt)} returning 1), k as (${upsertSql(TASK_ROW, tasksAt)} returning 1) select 1 as done`;
})();

/** The statements writing the changed records: one, or one per chunk of each table for a very large flush. */
function writeQueries(execs: ExecutionRow[], nodes: NodeExecutionRow[], tasks: TaskExecutionRow[]): CompiledQuery[] {
  const n = Math.ceil(Math.max(execs.length, nodes.length, tasks.length) / CHUNK);
  return Array.from({ length: n }, (_, i) => {
    const part = <T>(xs: T[]) => xs.slice(i * CHUNK, (i + 1) * CHUNK);
    return CompiledQuery.raw(WRITE_STATEMENT, [
      ...columnArrays(part(execs), EXEC_UPDATE),
      ...columnArrays(part(nodes), NODE_ROW.columns),
      ...columnArrays(part(tasks), TASK_ROW.columns),
    ]);
  });
}

const BEGIN = CompiledQuery.raw("begin");
const COMMIT = CompiledQuery.raw("commit");
const ROLLBACK = CompiledQuery.raw("rollback");


/**
 * Sends the statements to the connection back to back, without waiting for each answer before sending the next (the
 * connection still runs them one after another, in this order). Resolves with every result once all are answered,
 * or rejects with the first failure: in a transaction, the statements after a failed one fail or do nothing.
 */
async function pipeline(conn: DatabaseConnection, queries: CompiledQuery[]): Promise<QueryResult<unknown>[]> {
  if (!acceptsPipelinedStatements(conn)) {
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
      await pipeline(conn, [...writeQueries(execOut, nodeOut, taskOut), COMMIT]);
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
