// Running one attempt of a task through its plugin: the attempt's paths, environment, deadline and
// abort signal. The attempt's result lands in the action's scratch and wakes the action.
import { toBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import type { LiveAction } from "../runtime/live.ts";
import type { TaskExecutionContext, TaskResult } from "../plugins/plugin.ts";
import { durationMs } from "./durations.ts";
import type { ActionContext } from "./handler.ts";

export interface AttemptScratch {
  inflight?: AbortController;
  result?: TaskResult;
  slot?: boolean;
  /** Attempt number the in-flight/result belongs to. */
  attempt?: number;
  /** stdout/stderr the plugin reported for the current attempt. */
  logs?: string[];
}

export function attemptScratch(a: LiveAction): AttemptScratch {
  return (a.scratch.attempt ??= {}) as AttemptScratch;
}

export function nodeIdOf(a: LiveAction): string {
  const s = a.spec;
  if (s.kind === "subtask") return `${s.node.id}-${s.index}`;
  return a.rec.name;
}

export function interruptibleOf(ctx: ActionContext, task: core.TaskTemplate): boolean {
  const s = ctx.action.spec;
  const node = s.kind === "node" || s.kind === "subtask" ? s.node : undefined;
  const nodeFlag = node?.metadata?.interruptibleValue;
  const flag =
    nodeFlag?.case === "interruptible"
      ? nodeFlag.value
      : (ctx.execution.rec.options.interruptible ?? task.metadata?.interruptibleValue.value ?? false);
  // After a system failure the next attempts run on non-interruptible capacity, as Flyte does.
  return Boolean(flag) && ctx.action.rec.systemFailures === 0;
}

export async function startAttempt(ctx: ActionContext, task: core.TaskTemplate): Promise<void> {
  const a = ctx.action;
  const sc = attemptScratch(a);
  const inputs = await ctx.inputs();
  const attempt = a.rec.attempt;
  const prefix = `${ctx.dataPrefix()}/${attempt}`;
  const plugin = ctx.pluginFor(task);
  const controller = new AbortController();
  sc.inflight = controller;
  sc.attempt = attempt;
  sc.result = undefined;
  const now = ctx.now();
  ctx.setPhase("RUNNING");
  ctx.recordAttempt({
    execution: a.rec.execution,
    action: a.key,
    attempt,
    phase: "RUNNING",
    error: null,
    startedAt: now,
    endedAt: null,
    logUri: null,
    cacheStatus: null,
  });
  let inputsUri: Promise<string> | undefined;
  const id = ctx.execution.id;
  const nodeId = nodeIdOf(a);
  const logs: string[] = [];
  sc.logs = logs;
  const pctx: TaskExecutionContext = {
    task,
    executionId: id,
    actionKey: a.key,
    nodeId,
    attempt,
    inputs,
    inputsPath: `${ctx.dataPrefix()}/inputs.pb`,
    inputsUri: () =>
      (inputsUri ??= (async () => {
        const uri = `${ctx.dataPrefix()}/inputs.pb`;
        await ctx.blobs.put(uri, toBinaryMap(inputs));
        return uri;
      })()),
    outputPrefix: prefix,
    rawOutputPrefix: `${ctx.execution.rec.options.rawOutputPrefix ?? ctx.services.settings.rawOutputPrefix}/${a.key}/${attempt}`,
    checkpointPrefix: `${prefix}/_flytecheckpoints`,
    prevCheckpointPrefix: attempt > 0 ? `${ctx.dataPrefix()}/${attempt - 1}/_flytecheckpoints` : "",
    interruptible: interruptibleOf(ctx, task),
    signal: controller.signal,
    log: { write: (stream, text) => void logs.push(stream === "stderr" ? `[stderr] ${text}` : text) },
    blobStore: ctx.blobs,
    environment: {
      FLYTE_INTERNAL_EXECUTION_ID: id.name,
      FLYTE_INTERNAL_EXECUTION_PROJECT: id.project,
      FLYTE_INTERNAL_EXECUTION_DOMAIN: id.domain,
      FLYTE_INTERNAL_TASK_PROJECT: task.id?.project ?? "",
      FLYTE_INTERNAL_TASK_DOMAIN: task.id?.domain ?? "",
      FLYTE_INTERNAL_TASK_NAME: task.id?.name ?? "",
      FLYTE_INTERNAL_TASK_VERSION: task.id?.version ?? "",
      FLYTE_ATTEMPT_NUMBER: String(attempt),
      FLYTE_INTERNAL_NODE_ID: nodeId,
    },
  };
  const timeoutMs = durationMs(task.metadata?.timeout);
  const timer = timeoutMs > 0 ? setTimeout(() => controller.abort(new AttemptTimeout(timeoutMs)), timeoutMs) : undefined;
  plugin
    .execute(pctx)
    .then(
      (r) => r,
      (err: unknown): TaskResult => ({
        kind: "failure",
        error: { kind: "SYSTEM", code: "PluginError", message: `plugin ${plugin.name}: ${(err as Error)?.message ?? String(err)}`, recoverable: true },
      }),
    )
    .then((r) => {
      if (timer) clearTimeout(timer);
      if (sc.inflight !== controller) return; // superseded (aborted or restarted)
      const reason = controller.signal.reason;
      sc.result =
        reason instanceof AttemptTimeout
          ? { kind: "failure", error: { kind: "USER", code: "Timeout", message: reason.message, recoverable: true } }
          : r;
      sc.inflight = undefined;
      ctx.wakeLater();
    });
}

class AttemptTimeout extends Error {
  constructor(ms: number) {
    super(`task attempt exceeded its timeout of ${ms} ms`);
  }
}

function toBinaryMap(m: core.LiteralMap): Uint8Array {
  return toBinary(core.LiteralMapSchema, m);
}
