// Fires the schedules of active launch plans. Each schedule remembers (in the database) the last kickoff time it
// handled; every later slot up to now is fired in order, so a restart neither skips the slots it slept through
// nor repeats one. An execution's name is derived from the launch plan and the kickoff time, so even a crash
// between creating the execution and recording the slot cannot start it twice.
//
// Concurrency (flyteorg/flyte#267, #5125): the launch plan's `concurrency_policy.max` bounds how many of its
// executions may be active; at the limit a slot is skipped (behavior SKIP) or held until one finishes (the launch
// plan label `aloft.dev/concurrency-limit-behavior: queue`, since FlyteIDL has no queue behavior).
import { createHash } from "node:crypto";
import { create, fromBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { admin, core } from "@aloft/idl";

const MAX_CATCH_UP = 1000;
const terminal = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];
import { AdminError } from "../errors.ts";
import type { AdminContext } from "../context.ts";
import type { LaunchPlanRow } from "../db/schema.ts";
import { launchPrepared, prepareLaunch } from "../admin/executions/create.ts";
import type { Key } from "../admin/validate.ts";
import { clockFor } from "./schedule.ts";
import { concurrencyOf } from "./concurrency.ts";

const heldKey = (k: { project: string; domain: string; name: string }) => `${k.project}/${k.domain}/${k.name}`;

export function scheduledExecutionName(lp: Key, kickoffMs: number): string {
  const h = createHash("sha256").update(`${lp.project}/${lp.domain}/${lp.name}/${lp.version}@${kickoffMs}`).digest("hex");
  return `s${h.slice(0, 19)}`;
}

export class Scheduler {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #again = false;
  /** Launch plans (project/domain/name) whose last pass held a slot at the concurrency limit. */
  #held = new Set<string>();

  constructor(
    private readonly ctx: AdminContext,
    private readonly now: () => number = () => Date.now(),
    /** Longest sleep between checks, so a changed clock or a missed wake-up is caught. */
    private readonly maxSleepMs = 30_000,
  ) {}

  async start(): Promise<void> {
    await this.tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  activationChanged(_key: Key, _active: boolean): void {
    void this.tick();
  }

  executionPhaseChanged(execution: admin.Execution): void {
    const phase = execution.closure?.phase;
    if (phase === undefined || !terminal.includes(core.WorkflowExecution_Phase[phase] ?? "")) return;
    // Only a schedule held at its concurrency limit waits for an execution to end; any other end needs no pass.
    // A pass under way may be about to hold one (it counted this execution as active), so it runs again.
    const lp = execution.spec?.launchPlan;
    if (this.#running || (lp && this.#held.has(heldKey(lp)))) void this.tick();
  }

  /** Runs one pass over every schedule; concurrent calls coalesce into one more pass. */
  tick(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#pass();
        } while (this.#again && !this.#stopped);
      } catch (e) {
        this.ctx.log.error({ err: e }, "scheduler pass failed");
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  async #pass(): Promise<void> {
    const rows = await this.ctx.db.selectFrom("admin_launch_plans").selectAll().where("state", "=", admin.LaunchPlanState.ACTIVE).where("schedule_type", "<>", "NONE").execute();
    let nextWake = this.now() + this.maxSleepMs;
    const held = new Set<string>();
    for (const row of rows) {
      if (this.#stopped) return;
      try {
        const next = await this.#runSchedule(row);
        if (next === "held") held.add(heldKey(row));
        else if (next !== undefined) nextWake = Math.min(nextWake, next);
      } catch (e) {
        this.ctx.log.error({ err: e, launchPlan: row.name }, "schedule failed");
      }
    }
    this.#held = held;
    if (this.#timer) clearTimeout(this.#timer);
    if (!this.#stopped) {
      this.#timer = setTimeout(() => void this.tick(), Math.max(10, nextWake - this.now()));
      this.#timer.unref();
    }
  }

  /** Fires every due slot of one schedule; returns when it is next due. */
  async #runSchedule(row: LaunchPlanRow): Promise<number | "held" | undefined> {
    const key = { project: row.project, domain: row.domain, name: row.name, version: row.version };
    const spec = fromBinary(admin.LaunchPlanSpecSchema, row.spec);
    const schedule = spec.entityMetadata?.schedule;
    if (!schedule) return undefined;
    const state = await this.ctx.db.selectFrom("admin_schedules").select("last_fired_ms").where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("version", "=", key.version).executeTakeFirst();
    let last = state?.last_fired_ms;
    if (last === undefined) {
      // First sight of an active schedule: it starts from its activation, not from the distant past.
      last = row.updated_at.getTime();
      await this.ctx.db.insertInto("admin_schedules").values({ ...key, last_fired_ms: last }).onConflict((oc) => oc.columns(["project", "domain", "name", "version"]).doNothing()).execute();
    }
    const { max, behavior } = concurrencyOf(spec);
    for (let i = 0; i < MAX_CATCH_UP; i++) {
      const due = clockFor(schedule, last)!.next(last);
      if (due > this.now()) return due;
      if (max > 0) {
        const active = await this.#activeCount(key);
        if (active >= max) {
          if (behavior === "queue") return "held"; // woken when one of its executions ends
          this.ctx.log.info({ launchPlan: key.name, kickoff: new Date(due).toISOString() }, "schedule slot skipped: concurrency limit reached");
          await this.#advance(key, last, due);
          last = due;
          continue;
        }
      }
      await fireScheduled(this.ctx, key, spec, due);
      await this.#advance(key, last, due);
      last = due;
    }
    return this.now();
  }

  async #activeCount(key: Key): Promise<number> {
    const r = await this.ctx.db
      .selectFrom("admin_executions")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("launch_plan_project", "=", key.project)
      .where("launch_plan_domain", "=", key.domain)
      .where("launch_plan_name", "=", key.name)
      .where("phase", "not in", terminal)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async #advance(key: Key, from: number, to: number): Promise<void> {
    await this.ctx.db.updateTable("admin_schedules").set({ last_fired_ms: to }).where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("version", "=", key.version).where("last_fired_ms", "=", from).execute();
  }
}

/** Starts the execution for one kickoff time; an existing one (same derived name) means it already fired. */
export async function fireScheduled(ctx: AdminContext, key: Key, lpSpec: admin.LaunchPlanSpec, kickoffMs: number): Promise<core.WorkflowExecutionIdentifier | undefined> {
  const inputs = create(core.LiteralMapSchema, {});
  const arg = lpSpec.entityMetadata?.schedule?.kickoffTimeInputArg;
  if (arg) {
    inputs.literals[arg] = create(core.LiteralSchema, { value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "datetime", value: timestampFromMs(kickoffMs) } } } } } });
  }
  const spec = create(admin.ExecutionSpecSchema, {
    launchPlan: { resourceType: core.ResourceType.LAUNCH_PLAN, ...key },
    metadata: { mode: admin.ExecutionMetadata_ExecutionMode.SCHEDULED, scheduledAt: timestampFromMs(kickoffMs), principal: "aloft-scheduler" },
  });
  const name = scheduledExecutionName(key, kickoffMs);
  try {
    const prepared = await prepareLaunch(ctx, key.project, key.domain, name, spec, inputs);
    await launchPrepared(ctx, prepared);
    return create(core.WorkflowExecutionIdentifierSchema, { project: key.project, domain: key.domain, name });
  } catch (e) {
    if (e instanceof AdminError && e.code === "ALREADY_EXISTS") return undefined;
    throw e;
  }
}

/** Kickoff times of a schedule in [from, to] (inclusive, ms since epoch), at most MAX_CATCH_UP of them. */
export function scheduleSlots(schedule: admin.Schedule, from: number, to: number): number[] {
  if (to < from) throw new AdminError("INVALID_ARGUMENT", "backfill range ends before it starts");
  const clock = clockFor(schedule, from);
  if (!clock) throw new AdminError("FAILED_PRECONDITION", "the launch plan has no schedule");
  const slots: number[] = [];
  // A fixed rate counts from the range start; a cron expression may fire exactly at it.
  for (let t = schedule.ScheduleExpression.case === "rate" ? from : clock.next(from - 1); t <= to; t = clock.next(t)) {
    if (slots.length >= MAX_CATCH_UP) throw new AdminError("INVALID_ARGUMENT", `backfill range holds more than ${MAX_CATCH_UP} slots; split it`);
    slots.push(t);
  }
  return slots;
}

/** Fires every slot of the launch plan's schedule in [from, to], each at most once (names derive from the slot). */
export async function backfill(ctx: AdminContext, key: Key, from: number, to: number): Promise<core.WorkflowExecutionIdentifier[]> {
  const row = await ctx.db.selectFrom("admin_launch_plans").selectAll().where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).where("version", "=", key.version).executeTakeFirst();
  if (!row) throw new AdminError("NOT_FOUND", `launch plan ${key.project}/${key.domain}/${key.name}/${key.version} not found`);
  const spec = fromBinary(admin.LaunchPlanSpecSchema, row.spec);
  const schedule = spec.entityMetadata?.schedule;
  if (!schedule || schedule.ScheduleExpression.case === undefined) throw new AdminError("FAILED_PRECONDITION", `launch plan ${key.name} has no schedule to backfill`);
  const started: core.WorkflowExecutionIdentifier[] = [];
  for (const t of scheduleSlots(schedule, from, to)) {
    const id = await fireScheduled(ctx, key, spec, t);
    if (id) started.push(id);
  }
  return started;
}
