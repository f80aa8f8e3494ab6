// Running one attempt of a task through its plugin: the attempt's paths, environment, deadline and
// abort signal. The attempt's result lands in the action's scratch and wakes the action.
import { toBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import type { LiveAction } from "../runtime/live.ts";
import type { ChildActions, TaskExecutionContext, TaskLogSink, TaskResult } from "../plugins/plugin.ts";
import type { BlobStore } from "../runtime/blob-store.ts";
import { durationMs } from "./durations.ts";
import type { ActionContext } from "./handler.ts";
import { AttemptCalls } from "./call.ts";

export interface AttemptScratch {
  inflight?: AttemptAbort;
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

/**
 * Cancels an attempt. The AbortController (and its signal) is made only when a plugin asks for the
 * signal: most attempts never need one, and one per attempt was a visible cost of long chains.
 */
export class AttemptAbort {
  #controller: AbortController | undefined;
  #reason: unknown;
  #listeners: Array<(reason: unknown) => void> | undefined;
  aborted = false;
  onAbort(fn: (reason: unknown) => void): void {
    if (this.aborted) fn(this.#reason);
    else (this.#listeners ??= []).push(fn);
  }
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }
  get reason(): unknown {
    return this.#reason;
  }
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    for (const fn of this.#listeners?.splice(0) ?? []) fn(reason);
  }
}

/** What a plugin sees of one attempt; paths and environment are built only when read. */
class AttemptContext implements TaskExecutionContext {
  readonly executionId: core.WorkflowExecutionIdentifier;
  readonly actionKey: string;
  readonly blobStore: BlobStore;
  #inputsUri: Promise<string> | undefined;
  #logs: string[] | undefined;
  #calls: AttemptCalls | undefined;
  constructor(
    private readonly ctx: ActionContext,
    readonly task: core.TaskTemplate,
    readonly nodeId: string,
    readonly attempt: number,
    readonly inputs: core.LiteralMap,
    private readonly control: AttemptAbort,
  ) {
    this.executionId = ctx.execution.id;
    this.actionKey = ctx.action.key;
    this.blobStore = ctx.blobs;
  }
  /** The attempt's stdout/stderr, kept only once a plugin writes some. */
  get log(): TaskLogSink {
    return this;
  }
  write(stream: "stdout" | "stderr", text: string): void {
    if (!this.#logs) {
      this.#logs = [];
      // Only the attempt in flight owns the action's log buffer (a superseded one writes nowhere).
      const sc = attemptScratch(this.ctx.action);
      if (sc.inflight === this.control) sc.logs = this.#logs;
    }
    this.#logs.push(stream === "stderr" ? `[stderr] ${text}` : text);
  }
  get signal(): AbortSignal {
    return this.control.signal;
  }
  /** Made when the task first calls another: most tasks never do. */
  get actions(): ChildActions {
    if (!this.#calls) {
      const calls = (this.#calls = new AttemptCalls(this.ctx));
      this.control.onAbort((reason) => calls.abort(reason));
    }
    return this.#calls;
  }
  onAbort(fn: (reason: unknown) => void): void {
    this.control.onAbort(fn);
  }
  get inputsPath(): string {
    return `${this.ctx.dataPrefix()}/inputs.pb`;
  }
  inputsUri(): Promise<string> {
    return (this.#inputsUri ??= (async () => {
      const uri = this.inputsPath;
      await this.ctx.blobs.put(uri, toBinaryMap(this.inputs));
      return uri;
    })());
  }
  get outputPrefix(): string {
    return `${this.ctx.dataPrefix()}/${this.attempt}`;
  }
  get rawOutputPrefix(): string {
    const ctx = this.ctx;
    return `${ctx.execution.rec.options.rawOutputPrefix ?? ctx.services.settings.rawOutputPrefix}/${this.actionKey}/${this.attempt}`;
  }
  get checkpointPrefix(): string {
    return `${this.outputPrefix}/_flytecheckpoints`;
  }
  get prevCheckpointPrefix(): string {
    return this.attempt > 0 ? `${this.ctx.dataPrefix()}/${this.attempt - 1}/_flytecheckpoints` : "";
  }
  get interruptible(): boolean {
    return interruptibleOf(this.ctx, this.task);
  }
  get environment(): Record<string, string> {
    const id = this.executionId;
    const task = this.task;
    return {
      FLYTE_INTERNAL_EXECUTION_ID: id.name,
      FLYTE_INTERNAL_EXECUTION_PROJECT: id.project,
      FLYTE_INTERNAL_EXECUTION_DOMAIN: id.domain,
      FLYTE_INTERNAL_TASK_PROJECT: task.id?.project ?? "",
      FLYTE_INTERNAL_TASK_DOMAIN: task.id?.domain ?? "",
      FLYTE_INTERNAL_TASK_NAME: task.id?.name ?? "",
      FLYTE_INTERNAL_TASK_VERSION: task.id?.version ?? "",
      FLYTE_ATTEMPT_NUMBER: String(this.attempt),
      FLYTE_INTERNAL_NODE_ID: this.nodeId,
    };
  }
}

export async function startAttempt(ctx: ActionContext, task: core.TaskTemplate): Promise<void> {
  const a = ctx.action;
  const sc = attemptScratch(a);
  const inputs = await ctx.inputs();
  const attempt = a.rec.attempt;
  const plugin = ctx.pluginFor(task);
  const control = new AttemptAbort();
  sc.inflight = control;
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
  sc.logs = undefined;
  const pctx = new AttemptContext(ctx, task, nodeIdOf(a), attempt, inputs, control);
  const timeoutMs = durationMs(task.metadata?.timeout);
  const timer = timeoutMs > 0 ? setTimeout(() => control.abort(new AttemptTimeout(timeoutMs)), timeoutMs) : undefined;
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
      if (sc.inflight !== control) return; // superseded (aborted or restarted)
      const reason = control.reason;
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
