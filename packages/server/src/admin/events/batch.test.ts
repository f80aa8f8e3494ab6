// Batched event ingestion: a batch gives every event the outcome it would have had alone, in order, and leaves the
// same records as applying the events one request at a time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, fromBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { admin, core, event } from "@aloft/idl";
import { RecordingLauncher, startHarness, type Harness } from "../../../test/harness.ts";
import { echoEntities, intLiteral } from "../../../test/fixtures/echo.ts";
import { createExecution } from "../executions/create.ts";
import { createTask } from "../tasks.ts";
import { createWorkflow } from "../workflows.ts";
import { createLaunchPlan } from "../launch-plans.ts";
import { CompiledQuery, sql } from "kysely";
import { applyEvents, eventBatcher, NODE_COLS, selectQueries, type AnyEvent } from "./batch.ts";
import { createWorkflowEvent } from "./workflow-event.ts";
import { createNodeEvent } from "./node-event.ts";
import { createTaskEvent } from "./task-event.ts";
import { AdminError } from "../../errors.ts";

let h: Harness;
const e = echoEntities("batch", "development", "v1");
const t0 = Date.parse("2026-03-01T10:00:00Z");

async function newExecution(name: string) {
  await createExecution(h.ctx, create(admin.ExecutionCreateRequestSchema, { project: "batch", domain: "development", name, spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(1) } } }));
  return { project: "batch", domain: "development", name };
}

const W = core.WorkflowExecution_Phase;
const N = core.NodeExecution_Phase;
const T = core.TaskExecution_Phase;
type Id = { project: string; domain: string; name: string };
const wf = (id: Id, phase: core.WorkflowExecution_Phase, ms: number, extra: Record<string, unknown> = {}): AnyEvent => ({
  kind: "workflow",
  e: create(event.WorkflowExecutionEventSchema, { executionId: id, phase, occurredAt: timestampFromMs(t0 + ms), ...extra } as never),
});
const node = (id: Id, nodeId: string, phase: core.NodeExecution_Phase, ms: number, extra: Record<string, unknown> = {}): AnyEvent => ({
  kind: "node",
  e: create(event.NodeExecutionEventSchema, { id: { executionId: id, nodeId }, phase, occurredAt: timestampFromMs(t0 + ms), ...extra } as never),
});
const task = (id: Id, nodeId: string, phase: core.TaskExecution_Phase, version: number, ms: number, extra: Record<string, unknown> = {}): AnyEvent => ({
  kind: "task",
  e: create(event.TaskExecutionEventSchema, { taskId: e.ids.task, parentNodeExecutionId: { executionId: id, nodeId }, retryAttempt: 0, phase, phaseVersion: version, occurredAt: timestampFromMs(t0 + ms), ...extra } as never),
});

// One execution's life with repeats, late and refused events mixed in; `id` is the execution the events are for.
const story = (id: Id, ghost: Id): AnyEvent[] => [
  wf(id, W.RUNNING, 0),
  wf(id, W.RUNNING, 5),
  node(id, "n0", N.QUEUED, 10),
  task(id, "n9", T.RUNNING, 0, 15),
  node(id, "n0", N.RUNNING, 20),
  task(id, "n0", T.RUNNING, 0, 30, { logs: [{ name: "stdout", uri: "file:///1" }] }),
  task(id, "n0", T.RUNNING, 0, 31),
  task(id, "n0", T.RUNNING, 1, 40, { logs: [{ name: "stderr", uri: "file:///2" }], reason: "pulled" }),
  node(id, "", N.RUNNING, 41),
  wf(ghost, W.RUNNING, 42),
  task(id, "n0", T.SUCCEEDED, 0, 1000, { outputResult: { case: "outputUri", value: "file:///out.pb" } }),
  task(id, "n0", T.RUNNING, 5, 1001),
  node(id, "n0", N.SUCCEEDED, 1100, { outputResult: { case: "outputData", value: create(core.LiteralMapSchema, { literals: { o: intLiteral(2) } }) } }),
  node(id, "n0", N.RUNNING, 1150),
  wf(id, W.SUCCEEDED, 2000, { outputResult: { case: "outputUri", value: "file:///wf-out.pb" } }),
  wf(id, W.RUNNING, 2100),
];
const expectedCodes = [undefined, "ALREADY_EXISTS", undefined, "NOT_FOUND", undefined, undefined, "ALREADY_EXISTS", undefined, "INVALID_ARGUMENT", "NOT_FOUND", undefined, "FAILED_PRECONDITION", undefined, "FAILED_PRECONDITION", undefined, "FAILED_PRECONDITION"];

async function records(id: Id) {
  const exec = await h.ctx.db.selectFrom("admin_executions").selectAll().where("name", "=", id.name).executeTakeFirstOrThrow();
  const nodes = await h.ctx.db.selectFrom("admin_node_executions").selectAll().where("name", "=", id.name).orderBy("node_id").execute();
  const tasks = await h.ctx.db.selectFrom("admin_task_executions").selectAll().where("name", "=", id.name).execute();
  // Names differ between the two executions compared; everything else must be equal.
  const strip = <R extends { name: string }>(r: R) => ({ ...r, name: "" });
  // The closure's creation time is the create call's; the rest comes from events.
  const c = fromBinary(admin.ExecutionClosureSchema, exec.closure);
  const closure = { phase: c.phase, startedAt: c.startedAt, updatedAt: c.updatedAt, duration: c.duration, outputResult: c.outputResult };
  return { exec: { ...strip(exec), spec: undefined, inputs_uri: "", user_inputs_uri: "", created_at: undefined, closure }, nodes: nodes.map(strip), tasks: tasks.map(strip) };
}

describe.each([{ db: "PGlite", postgres: false }, { db: "PostgreSQL", postgres: true }])("batched event ingestion on $db", ({ postgres }) => {
  beforeAll(async () => {
    h = await startHarness({ launcher: new RecordingLauncher(), postgres });
    await h.ctx.db.insertInto("admin_projects").values({ identifier: "batch", name: "batch", description: "", labels: null, state: 0, org: "", created_at: new Date(), updated_at: new Date() }).execute();
    await createTask(h.ctx, e.task);
    await createWorkflow(h.ctx, e.workflow);
    await createLaunchPlan(h.ctx, e.launchPlan);
  });
  afterAll(async () => h?.close());

  it("gives each event of a batch its own outcome and leaves the records that one-at-a-time requests leave", async () => {
    const one = await newExecution("one-by-one");
    const batched = await newExecution("batched");
    const ghost = { project: "batch", domain: "development", name: "ghost" };
    const codes: (string | undefined)[] = [];
    for (const ev of story(one, ghost)) {
      const run = ev.kind === "workflow" ? createWorkflowEvent(h.ctx, create(admin.WorkflowExecutionEventRequestSchema, { event: ev.e })) : ev.kind === "node" ? createNodeEvent(h.ctx, create(admin.NodeExecutionEventRequestSchema, { event: ev.e })) : createTaskEvent(h.ctx, create(admin.TaskExecutionEventRequestSchema, { event: ev.e }));
      codes.push(await run.then(() => undefined, (x: AdminError) => x.code));
    }
    expect(codes).toEqual(expectedCodes);

    const phases: [string, string][] = [];
    const results = await applyEvents(h.ctx, story(batched, ghost), (x, previous) => phases.push([W[previous]!, W[x.closure!.phase]!]));
    expect(results.map((r) => (r as AdminError | undefined)?.code)).toEqual(expectedCodes);
    expect(phases).toEqual([
      ["UNDEFINED", "RUNNING"],
      ["RUNNING", "SUCCEEDED"],
    ]);
    const a = await records(one);
    const b = await records(batched);
    expect(b).toEqual(a);
    expect(b.exec.phase).toBe("SUCCEEDED");
    expect(b.nodes.map((n) => [n.node_id, n.phase])).toEqual([["n0", "SUCCEEDED"]]);
    expect(b.tasks.map((t) => [t.phase, t.phase_version])).toEqual([["SUCCEEDED", 0]]);
    const taskClosure = fromBinary(admin.TaskExecutionClosureSchema, b.tasks[0]!.closure);
    expect(taskClosure.logs.map((l) => l.name)).toEqual(["stdout", "stderr"]);
    const nodeClosure = fromBinary(admin.NodeExecutionClosureSchema, b.nodes[0]!.closure);
    expect(nodeClosure.outputResult.case).toBe("outputData");
  });

  it("joins concurrent requests and still lets exactly one of two equal events through", async () => {
    const id = await newExecution("concurrent");
    const outcomes = await Promise.all(
      [0, 1, 2, 3].map((i) => createWorkflowEvent(h.ctx, create(admin.WorkflowExecutionEventRequestSchema, { event: wf(id, W.RUNNING, i).e as event.WorkflowExecutionEvent })).then(() => "ok", (x: AdminError) => x.code)),
    );
    expect(outcomes.sort()).toEqual(["ALREADY_EXISTS", "ALREADY_EXISTS", "ALREADY_EXISTS", "ok"]);
    const results = await eventBatcher(h.ctx).submit([node(id, "a", N.RUNNING, 10), node(id, "b", N.RUNNING, 10), task(id, "b", T.RUNNING, 0, 11)]);
    expect(results).toEqual([undefined, undefined, undefined]);
    const nodes = await h.ctx.db.selectFrom("admin_node_executions").select(["node_id", "phase"]).where("name", "=", "concurrent").orderBy("node_id").execute();
    expect(nodes).toEqual([
      { node_id: "a", phase: "RUNNING" },
      { node_id: "b", phase: "RUNNING" },
    ]);
  });

  it("finds records again whatever characters their keys hold", async () => {
    const id = await newExecution("odd-keys");
    const odd = ["a,b", 'q"uote', "{br}", "back\\slash", " sp ace ", "NULL", "ü-ñ", "(x)"];
    const first = await applyEvents(h.ctx, odd.flatMap((n) => [node(id, n, N.RUNNING, 1), task(id, n, T.RUNNING, 0, 2)]));
    expect(first.every((r) => r === undefined)).toBe(true);
    // Second events must find (and refuse or update) the records the first created, key for key.
    const again = await applyEvents(h.ctx, odd.flatMap((n) => [node(id, n, N.SUCCEEDED, 3), task(id, n, T.RUNNING, 0, 4)]));
    expect(again.map((r) => (r as AdminError | undefined)?.code)).toEqual(odd.flatMap(() => [undefined, "ALREADY_EXISTS"]));
    const nodes = await h.ctx.db.selectFrom("admin_node_executions").select(["node_id", "phase"]).where("name", "=", "odd-keys").execute();
    expect(nodes.map((n) => n.node_id).sort()).toEqual([...odd].sort());
    expect(new Set(nodes.map((n) => n.phase))).toEqual(new Set(["SUCCEEDED"]));
  });

  it("fails only the event the database refuses when it was flushed with others", async () => {
    const id = await newExecution("mixed-flush");
    const results = await eventBatcher(h.ctx).submit([wf(id, W.RUNNING, 0), node(id, "bad\u0000id", N.RUNNING, 1), node(id, "good", N.RUNNING, 2)]);
    expect(results[0]).toBeUndefined();
    expect(results[1]).toBeInstanceOf(Error);
    expect(results[2]).toBeUndefined();
    const exec = await h.ctx.db.selectFrom("admin_executions").select("phase").where("name", "=", "mixed-flush").executeTakeFirstOrThrow();
    expect(exec.phase).toBe("RUNNING");
    const nodes = await h.ctx.db.selectFrom("admin_node_executions").select("node_id").where("name", "=", "mixed-flush").execute();
    expect(nodes.map((n) => n.node_id)).toEqual(["good"]);
  });

  it("writes nothing of a batch whose transaction fails", async () => {
    const id = await newExecution("doomed");
    // A node id too long for nothing but a broken value: a NUL byte is refused by the database, not by the rules.
    const results = applyEvents(h.ctx, [wf(id, W.RUNNING, 0), node(id, "bad\u0000id", N.RUNNING, 1)]);
    await expect(results).rejects.toThrow();
    const exec = await h.ctx.db.selectFrom("admin_executions").select("phase").where("name", "=", "doomed").executeTakeFirstOrThrow();
    expect(exec.phase).toBe("UNDEFINED");
  });

  it("reads a flush's records through their primary keys, never the whole table", async () => {
    // A flush looks up a handful of keys; the table holds every node ever run. As a join, the planner chose to hash
    // the keys and read the whole table (PGlite: milliseconds per flush, more with every execution).
    await sql`insert into admin_node_executions (project, domain, name, node_id, phase, closure, metadata)
      select 'batch', 'development', 'big-' || g, 'n0', 'SUCCEEDED', '\\x'::bytea, '\\x'::bytea from generate_series(1, 3000) g`.execute(h.ctx.db);
    await sql`analyze admin_node_executions`.execute(h.ctx.db);
    const keys = Array.from({ length: 20 }, (_, i) => ["batch", "development", `big-${i * 7 + 1}`, "n0"]);
    const [query] = selectQueries(h.ctx.db, "admin_node_executions", NODE_COLS, keys);
    const plan = (await h.ctx.db.executeQuery<{ "QUERY PLAN": string }>(CompiledQuery.raw(`explain ${query!.sql}`, [...query!.parameters]))).rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).toContain("admin_node_executions_pkey");
    expect(plan).not.toContain("Seq Scan");
    const found = (await h.ctx.db.executeQuery<{ name: string }>(query!)).rows.map((r) => r.name);
    expect(found).toEqual(keys.map((k) => k[2]).sort());
  });
});
