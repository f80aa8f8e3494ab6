// Event ingestion in batches. Every workflow, node and task event, whether one CreateNodeEvent request or the
// hundreds the engine delivers after a commit, is applied here: one transaction per flush reads the affected
// records (one SELECT per table), applies the events in order in memory with flyteadmin's rules, and writes each
// changed record once (one upsert per table). Each event keeps its own outcome: a refused event changes nothing
// and fails only its own request.
import { create, fromBinary, toBinary, clone } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { sql, type Transaction } from "kysely";
import { admin, core, type event } from "@aloft/idl";
import { NotFoundError } from "../../errors.ts";
import type { AdminContext } from "../../context.ts";
import type { AdminTables, ExecutionRow, NodeExecutionRow, TaskExecutionRow } from "../../db/schema.ts";
import { requireIdentifier, requirePresent, requireString, type Key } from "../validate.ts";
import { executionIdentifier, requireExecutionId, showExec, type ExecKey } from "../executions/rows.ts";
import { applyWorkflowEvent, type PhaseListener } from "./workflow-event.ts";
import { applyNodeEvent, type NodeState } from "./node-event.ts";
import { applyTaskEvent, type TaskState } from "./task-event.ts";

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

async function selectRows<T>(tx: Transaction<AdminTables>, table: "admin_executions" | "admin_node_executions" | "admin_task_executions", cols: readonly string[], tuples: unknown[][]): Promise<T[]> {
  const out: T[] = [];
  for (const part of chunks(tuples)) {
    // Keys as one array per column, joined through unnest: a (a, b, …) IN ((…), (…)) list costs PostgreSQL
    // milliseconds to plan at 20 keys and a sixth of a second at 500; this plans in well under one.
    const arrays = cols.map((c, j) => sql`${part.map((t) => t[j])}::${sql.raw(c === "retry_attempt" ? "int[]" : "text[]")}`);
    const ref = sql.join(cols.map((c) => sql.ref(c)));
    // Locked in key order, so two flushes (or a flush and a terminate) touching the same records cannot deadlock.
    const { rows } = await sql<T>`select t.* from ${sql.table(table)} as t join unnest(${sql.join(arrays)}) as k(${ref}) using (${ref})
      order by ${sql.join(cols.map((c) => sql.ref(`t.${c}`)))} for update of t`.execute(tx);
    out.push(...rows);
  }
  return out;
}

async function upsert(tx: Transaction<AdminTables>, table: "admin_executions" | "admin_node_executions" | "admin_task_executions", key: readonly string[], rows: object[]): Promise<void> {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!).filter((c) => !key.includes(c) && c !== "created_at");
  for (const part of chunks(rows)) {
    await tx
      .insertInto(table)
      .values(part as never)
      .onConflict((oc) => oc.columns(key as never).doUpdateSet((eb) => Object.fromEntries(cols.map((c) => [c, eb.ref(`excluded.${c}` as never)])) as never))
      .execute();
  }
}

/** Writes what events change in execution records (never the spec, which they do not touch) in one UPDATE. */
async function updateExecutions(tx: Transaction<AdminTables>, rows: ExecutionRow[]): Promise<void> {
  for (const part of chunks(rows)) {
    if (part.length === 0) continue;
    const values = sql.join(
      part.map((r) => sql`(${r.project}::text, ${r.domain}::text, ${r.name}::text, ${r.phase}::text, ${r.closure}::bytea, ${r.started_at}::timestamptz, ${r.duration_ms}::bigint, ${r.error_kind}::text, ${r.error_code}::text, ${r.updated_at}::timestamptz)`),
    );
    await sql`update admin_executions as t set phase = v.phase, closure = v.closure, started_at = v.started_at, duration_ms = v.duration_ms, error_kind = v.error_kind, error_code = v.error_code, updated_at = v.updated_at
      from (values ${values}) as v(project, domain, name, phase, closure, started_at, duration_ms, error_kind, error_code, updated_at)
      where t.project = v.project and t.domain = v.domain and t.name = v.name`.execute(tx);
  }
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
  await ctx.db.transaction().execute(async (tx) => {
    phases.length = 0;
    const attempt: (Error | undefined)[] = results.slice();
    const execRows = await selectRows<ExecutionRow>(tx, "admin_executions", EXEC_COLS, [...execKeys.values()].map((k) => [k.project, k.domain, k.name]));
    const nodeRows = nodeKeys.size ? await selectRows<NodeExecutionRow>(tx, "admin_node_executions", NODE_COLS, [...nodeKeys.values()]) : [];
    const taskRows = taskKeys.size ? await selectRows<TaskExecutionRow>(tx, "admin_task_executions", TASK_COLS, [...taskKeys.values()]) : [];
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
    await updateExecutions(tx, execOut);
    await upsert(tx, "admin_node_executions", NODE_COLS, nodeOut);
    await upsert(tx, "admin_task_executions", TASK_COLS, taskOut);
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

interface Waiting {
  item: AnyEvent;
  resolve: (e: Error | undefined) => void;
}

/**
 * Joins concurrent callers into one applyEvents per flush: while one flush runs, arriving events wait and go
 * together in the next. One batcher per context, so every event of a server goes through one queue.
 */
export class EventBatcher {
  #queue: Waiting[] = [];
  #running = false;
  constructor(
    private readonly ctx: () => AdminContext,
    private readonly onPhase?: PhaseListener,
  ) {}

  /** Applies the events (in order, after anything queued before them) and returns each one's outcome (never rejects). */
  submit(items: AnyEvent[]): Promise<(Error | undefined)[]> {
    const ps = items.map((item) => new Promise<Error | undefined>((resolve) => this.#queue.push({ item, resolve })));
    if (!this.#running) void this.#drain();
    return Promise.all(ps);
  }

  async one(item: AnyEvent): Promise<void> {
    const [err] = await this.submit([item]);
    if (err) throw err;
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length) {
        const batch = this.#queue;
        this.#queue = [];
        try {
          const results = await applyEvents(this.ctx(), batch.map((w) => w.item), this.onPhase);
          batch.forEach((w, i) => w.resolve(results[i]));
        } catch (e) {
          if (batch.length === 1) {
            batch[0]!.resolve(e as Error);
            continue;
          }
          // The database refused the flush (a value it cannot store, a lost connection): each event is tried
          // alone, in order, so one bad request fails only itself and the others are still recorded.
          for (const w of batch) {
            await applyEvents(this.ctx(), [w.item], this.onPhase).then(([r]) => w.resolve(r), (err: Error) => w.resolve(err));
          }
        }
      }
    } finally {
      this.#running = false;
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
