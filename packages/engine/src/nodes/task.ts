// Task nodes and array subtasks: cache lookup, parallelism slot, attempts through the task plugin,
// retries (user errors spend the task's retry budget, system errors a separate one), cache put,
// and hand-over to the dynamic workflow when the task returned a DynamicJobSpec.
import type { core } from "@aloft/idl";
import { InvalidArgumentError } from "../errors.ts";
import type { AttemptRecord, ExecutionFailure } from "../model/action.ts";
import type { LiveAction } from "../runtime/live.ts";
import { cacheBeforeRun, cacheAfterSuccess, cacheEnabled, cacheRelease } from "./task-cache.ts";
import { attemptScratch, nodeIdOf, startAttempt } from "./task-attempt.ts";
import { dynamicChildInputs, dynamicChildSpec, startDynamic, stepDynamic } from "./dynamic.ts";
import type { ActionContext, NodeHandler } from "./handler.ts";
import { callChildInputs, callChildSpec, isCallChild, settleCalls } from "./call.ts";

export function taskOf(a: LiveAction): core.TaskTemplate {
  const s = a.spec;
  if (s.kind === "subtask" || s.kind === "call") return s.task;
  if (s.kind === "node" && s.node.target.case === "taskNode") {
    const ref = s.node.target.value.reference;
    if (ref.case !== "referenceId") throw new InvalidArgumentError(`${a.key}.taskNode.reference`, "has no reference_id");
    return s.scope.task(ref.value, `${a.key}.taskNode.referenceId`);
  }
  throw new InvalidArgumentError(a.key, "is not a task node");
}

/** A node's own non-zero retry count wins over its task's, as propeller builds a node's retry strategy. */
export function retryBudget(a: LiveAction, task: core.TaskTemplate): number {
  const nodeRetries = a.spec.kind === "node" ? (a.spec.node.metadata?.retries?.retries ?? 0) : 0;
  return nodeRetries !== 0 ? nodeRetries : (task.metadata?.retries?.retries ?? 0);
}

interface TaskState {
  dynamic?: { uri: string };
  cache?: { status: string; reason: string };
}

export const taskHandler: NodeHandler = {
  async handle(ctx) {
    const a = ctx.action;
    const task = taskOf(a);
    const state = a.rec.state as TaskState;
    if (state.dynamic) return stepDynamic(ctx, task, state.dynamic.uri);
    // Children this task called that finished: their awaiting calls in the running attempt resume.
    if (a.changed.length) settleCalls(a);
    const sc = attemptScratch(a);
    if (sc.result) return onResult(ctx, task);
    if (sc.inflight) return;
    const lost = a.scratch.lostAttempt as AttemptRecord | undefined;
    if (lost) {
      // Set on load after a restart: this attempt started in the engine that stopped, and its process died with it.
      a.scratch.lostAttempt = undefined;
      sc.result = { kind: "failure", error: { kind: "SYSTEM", code: ATTEMPT_LOST, message: "the server stopped while this attempt ran", recoverable: true } };
      return onResult(ctx, task, lost.startedAt);
    }
    if (!sc.slot) {
      // Checked here rather than inside: most tasks are not cached, and the async call is a cost per node.
      if ((a.rec.phase === "QUEUED" || a.rec.phase === "RUNNING") && cacheEnabled(ctx, task)) {
        const cached = await cacheBeforeRun(ctx, task);
        if (cached === "done" || cached === "wait") return;
      }
      if (!ctx.acquireSlot()) return;
      sc.slot = true;
    }
    // A fresh start or a retry.
    await startAttempt(ctx, task);
  },

  async abort(ctx, reason) {
    const sc = attemptScratch(ctx.action);
    if (sc.inflight) {
      sc.inflight.abort(new Error(reason));
      sc.inflight = undefined;
    }
    if (sc.slot) {
      sc.slot = false;
      ctx.releaseSlot();
    }
    for (const c of ctx.action.children.values()) await ctx.abortChild(c, reason);
    await cacheRelease(ctx, taskOf(ctx.action));
  },

  childSpec: (ctx, child) => (isCallChild(child) ? callChildSpec(ctx, child) : dynamicChildSpec(ctx, taskOf(ctx.action), child)),
  childInputs: (ctx, child) => (isCallChild(child.rec) ? callChildInputs(ctx, child) : dynamicChildInputs(ctx)),
};

/** The error code of an attempt that was running when its engine stopped (a system error: retried on the system budget). */
export const ATTEMPT_LOST = "AttemptLost";

async function onResult(ctx: ActionContext, task: core.TaskTemplate, attemptStartedAt?: number): Promise<void> {
  const a = ctx.action;
  const sc = attemptScratch(a);
  const result = sc.result!;
  sc.result = undefined;
  if (sc.slot) {
    sc.slot = false;
    ctx.releaseSlot();
  }
  const attempt = a.rec.attempt;
  // Captured stdout/stderr of the attempt, stored once beside its outputs.
  let logUri: string | null = null;
  if (sc.logs?.length) {
    logUri = `${ctx.dataPrefix()}/${attempt}/logs.txt`;
    await ctx.blobs.put(logUri, new TextEncoder().encode(sc.logs.join("")));
  }
  sc.logs = undefined;
  const startedAt = attemptStartedAt ?? a.rec.startedAt ?? ctx.now();
  const endedAt = ctx.now();
  const cacheStatus = (a.rec.state as TaskState).cache?.status ?? null;
  // The record is built once (not a base object spread into a second one): this runs for every task node.
  const attemptRecord = (phase: "SUCCEEDED" | "FAILED", error: ExecutionFailure | null): AttemptRecord => ({
    execution: a.rec.execution,
    action: a.key,
    attempt,
    phase,
    error,
    startedAt,
    endedAt,
    logUri,
    cacheStatus,
  });
  if (result.kind === "success") {
    // Known before the attempt's event is built, so the task event carries them too.
    a.outputs = result.outputs;
    ctx.recordAttempt(attemptRecord("SUCCEEDED", null));
    if (cacheEnabled(ctx, task)) await cacheAfterSuccess(ctx, task, result.outputs);
    return ctx.succeed(result.outputs, undefined, result.encoded);
  }
  if (result.kind === "dynamic") {
    ctx.recordAttempt(attemptRecord("SUCCEEDED", null));
    return startDynamic(ctx, task, result.spec, `${ctx.dataPrefix()}/${attempt}/futures.pb`);
  }
  const e = result.error;
  const failure: ExecutionFailure = { kind: e.kind, code: e.code, message: e.message, failedNodeId: nodeIdOf(a) };
  ctx.recordAttempt(attemptRecord("FAILED", failure));
  const retries = retryBudget(a, task);
  const userFailures = a.rec.attempt - a.rec.systemFailures + (e.kind === "USER" ? 1 : 0);
  const retryUser = e.recoverable && e.kind === "USER" && userFailures <= retries;
  const retrySystem = e.recoverable && e.kind === "SYSTEM" && a.rec.systemFailures < ctx.services.settings.maxSystemFailures;
  if (retryUser || retrySystem) {
    if (retrySystem) a.rec.systemFailures++;
    a.rec.attempt++;
    ctx.setState({ ...a.rec.state });
    ctx.wakeLater();
    return;
  }
  await cacheRelease(ctx, task);
  ctx.fail(failure);
}
