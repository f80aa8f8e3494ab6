// The scheduler against a real database with a clock the test moves: catch-up after downtime, no double fires
// across restarts, the kickoff-time input, concurrency limits, and backfills.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, fromBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { admin, core } from "@aloft/idl";
import { RecordingLauncher, startHarness, type Harness } from "../../test/harness.ts";
import { echoEntities, type EchoOptions } from "../../test/fixtures/echo.ts";
import { createTask } from "../admin/tasks.ts";
import { createWorkflow } from "../admin/workflows.ts";
import { createLaunchPlan, updateLaunchPlan } from "../admin/launch-plans.ts";
import { registerProject } from "../admin/projects.ts";
import { backfill, Scheduler, scheduledExecutionName } from "./scheduler.ts";
import { QUEUE_LABEL } from "./concurrency.ts";
import { createWorkflowEvent } from "../admin/events/workflow-event.ts";

let h: Harness;
const launcher = new RecordingLauncher();
const MIN = 60_000;

async function scheduled(prefix: string, lpSpec: EchoOptions["lpSpec"]) {
  const e = echoEntities("sched", "development", "v1", { prefix, type: core.SimpleType.DATETIME, lpSpec });
  await createTask(h.ctx, e.task);
  await createWorkflow(h.ctx, e.workflow);
  await createLaunchPlan(h.ctx, e.launchPlan);
  await updateLaunchPlan(h.ctx, create(admin.LaunchPlanUpdateRequestSchema, { id: e.ids.launchPlan, state: admin.LaunchPlanState.ACTIVE }));
  const row = await h.ctx.db.selectFrom("admin_launch_plans").select("updated_at").where("name", "=", e.ids.launchPlan.name).executeTakeFirstOrThrow();
  return { e, activatedAt: row.updated_at.getTime() };
}

const everyMinute = (extra = {}) => ({ entityMetadata: { schedule: { ScheduleExpression: { case: "rate" as const, value: { value: 1, unit: admin.FixedRateUnit.MINUTE } }, kickoffTimeInputArg: "x" } }, ...extra });

beforeAll(async () => {
  h = await startHarness({ launcher });
  await registerProject(h.ctx, create(admin.ProjectRegisterRequestSchema, { project: { id: "sched", name: "sched" } }));
});
afterAll(async () => h?.close());

describe("scheduler", () => {
  it("catches up missed slots in order, passes the kickoff time, and never fires a slot twice across restarts", async () => {
    const { e, activatedAt } = await scheduled("rate", everyMinute());
    let now = activatedAt + 3.5 * MIN;
    const s1 = new Scheduler(h.ctx, () => now, 60_000);
    await s1.tick();
    await s1.stop();
    const mine = () => launcher.launched.filter((l) => l.closure.primary?.template?.id?.name === e.ids.workflow.name);
    expect(mine().map((l) => l.id.name)).toEqual([1, 2, 3].map((k) => scheduledExecutionName(e.ids.launchPlan, activatedAt + k * MIN)));
    const kickoff = mine()[0]!.inputs.literals.x!;
    expect(kickoff.value.case === "scalar" && kickoff.value.value.value.case === "primitive" && kickoff.value.value.value.value.value.case === "datetime" ? timestampDate(kickoff.value.value.value.value.value.value).getTime() : 0).toBe(activatedAt + MIN);
    const row = await h.ctx.db.selectFrom("admin_executions").select(["spec"]).where("name", "=", mine()[0]!.id.name).executeTakeFirstOrThrow();
    expect(fromBinary(admin.ExecutionSpecSchema, row.spec).metadata?.mode).toBe(admin.ExecutionMetadata_ExecutionMode.SCHEDULED);

    // A restart at the same instant fires nothing again; two minutes later exactly two more.
    const s2 = new Scheduler(h.ctx, () => now, 60_000);
    await s2.tick();
    expect(mine()).toHaveLength(3);
    now += 2 * MIN;
    await s2.tick();
    await s2.stop();
    expect(mine()).toHaveLength(5);
  });

  it("skips slots while the concurrency limit is reached", async () => {
    const { e, activatedAt } = await scheduled("limited", everyMinute({ concurrencyPolicy: { max: 1, behavior: admin.ConcurrencyLimitBehavior.SKIP } }));
    const s = new Scheduler(h.ctx, () => activatedAt + 3.5 * MIN, 60_000);
    await s.tick();
    await s.stop();
    // The recorded launcher never runs them, so the first stays active and the next two slots are skipped.
    const names = launcher.launched.filter((l) => l.closure.primary?.template?.id?.name === e.ids.workflow.name).map((l) => l.id.name);
    expect(names).toEqual([scheduledExecutionName(e.ids.launchPlan, activatedAt + MIN)]);
    const state = await h.ctx.db.selectFrom("admin_schedules").select("last_fired_ms").where("name", "=", e.ids.launchPlan.name).executeTakeFirstOrThrow();
    expect(state.last_fired_ms).toBe(activatedAt + 3 * MIN);
  });

  it("queues slots at the concurrency limit and fires them, in order, when an execution finishes", async () => {
    const { e, activatedAt } = await scheduled("queued", everyMinute({ concurrencyPolicy: { max: 1 }, labels: { values: { [QUEUE_LABEL]: "queue" } } }));
    const now = activatedAt + 3.5 * MIN;
    const s = new Scheduler(h.ctx, () => now, 60_000);
    await s.tick();
    const mine = () => launcher.launched.filter((l) => l.closure.primary?.template?.id?.name === e.ids.workflow.name).map((l) => l.id.name);
    expect(mine()).toEqual([scheduledExecutionName(e.ids.launchPlan, activatedAt + MIN)]);
    // The first finishes: the second slot (not a later one) fires next, and the third waits again.
    await createWorkflowEvent(h.ctx, create(admin.WorkflowExecutionEventRequestSchema, { event: { executionId: { project: "sched", domain: "development", name: mine()[0]! }, phase: core.WorkflowExecution_Phase.SUCCEEDED } }));
    await s.tick();
    await s.stop();
    expect(mine()).toEqual([1, 2].map((k) => scheduledExecutionName(e.ids.launchPlan, activatedAt + k * MIN)));
  });

  it("does not catch up slots that passed while the launch plan was inactive", async () => {
    const { e, activatedAt } = await scheduled("paused", everyMinute());
    const mine = () => launcher.launched.filter((l) => l.closure.primary?.template?.id?.name === e.ids.workflow.name);
    const s = new Scheduler(h.ctx, () => activatedAt + 1.5 * MIN, 60_000);
    await s.tick();
    await s.stop();
    expect(mine()).toHaveLength(1);
    await updateLaunchPlan(h.ctx, create(admin.LaunchPlanUpdateRequestSchema, { id: e.ids.launchPlan, state: admin.LaunchPlanState.INACTIVE }));
    await updateLaunchPlan(h.ctx, create(admin.LaunchPlanUpdateRequestSchema, { id: e.ids.launchPlan, state: admin.LaunchPlanState.ACTIVE }));
    // As if the re-activation happened ten minutes after the first activation.
    const reactivatedAt = activatedAt + 10 * MIN;
    await h.ctx.db.updateTable("admin_launch_plans").set({ updated_at: new Date(reactivatedAt) }).where("name", "=", e.ids.launchPlan.name).execute();
    // Half a minute after the re-activation nothing is due; the eight slots while it was inactive are not fired.
    const s2 = new Scheduler(h.ctx, () => reactivatedAt + 0.5 * MIN, 60_000);
    await s2.tick();
    await s2.stop();
    expect(mine()).toHaveLength(1);
  });

  it("rejects a concurrency limit without a behavior, naming the field", async () => {
    const e = echoEntities("sched", "development", "v1", { prefix: "nobehavior", type: core.SimpleType.DATETIME, lpSpec: everyMinute({ concurrencyPolicy: { max: 2 } }) });
    await createTask(h.ctx, e.task);
    await createWorkflow(h.ctx, e.workflow);
    await expect(createLaunchPlan(h.ctx, e.launchPlan)).rejects.toThrow("spec.concurrency_policy.behavior");
  });

  it("backfills every slot of a range once", async () => {
    const { e } = await scheduled("backfilled", everyMinute());
    const from = Date.parse("2026-01-01T00:00:00Z");
    const first = await backfill(h.ctx, { ...e.ids.launchPlan }, from, from + 4 * MIN);
    expect(first.map((i) => i.name)).toEqual([0, 1, 2, 3, 4].map((k) => scheduledExecutionName(e.ids.launchPlan, from + k * MIN)));
    expect(await backfill(h.ctx, { ...e.ids.launchPlan }, from, from + 4 * MIN)).toEqual([]);
  });
});
