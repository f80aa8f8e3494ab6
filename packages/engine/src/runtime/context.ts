// The ActionContext handlers use: the executor's operations bound to one action.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { UnsupportedError } from "../errors.ts";
import {
  childKey,
  isTerminal,
  type ActionKind,
  type ActionRecord,
  type ActionState,
  type AttemptRecord,
  type ExecutionFailure,
  type Phase,
} from "../model/action.ts";
import type { ActionContext, ChildOptions } from "../nodes/handler.ts";
import type { TaskPlugin } from "../plugins/plugin.ts";
import type { Executor } from "./executor.ts";
import { LiveAction, type ActionSpec } from "./live.ts";

export class ActionContextImpl implements ActionContext {
  constructor(
    readonly executor: Executor,
    readonly action: LiveAction,
  ) {}

  get execution() {
    return this.action.exec;
  }
  get services() {
    return this.executor.services;
  }
  get blobs() {
    return this.executor.blobs;
  }
  now() {
    return this.executor.now();
  }

  workflowContext(): ActionContext {
    let p = this.action.parent;
    while (p && p.rec.kind !== "workflow") p = p.parent;
    if (!p) throw new UnsupportedError(this.action.key, "has no enclosing workflow");
    return this.executor.context(p);
  }

  async inputs(): Promise<core.LiteralMap> {
    const a = this.action;
    if (a.inputs) return a.inputs;
    if (!a.parent) {
      a.inputs = await this.executor.executionInputs(a.exec.rec);
    } else {
      const handler = this.executor.handlerFor(a.parent);
      if (!handler.childInputs) throw new UnsupportedError(a.key, "parent cannot re-derive this action's inputs");
      a.inputs = await handler.childInputs(this.executor.context(a.parent), a);
    }
    return a.inputs;
  }

  async outputsOf(action: LiveAction): Promise<core.LiteralMap> {
    if (action.outputs) return action.outputs;
    if (action.rec.outputs) return (action.outputs = fromBinary(core.LiteralMapSchema, action.rec.outputs));
    if (!action.rec.outputsUri) throw new UnsupportedError(action.key, `has no outputs (phase ${action.rec.phase})`);
    action.outputs = await this.executor.readLiteralMap(action.rec.outputsUri);
    return action.outputs;
  }

  setPhase(phase: Phase): void {
    if (phase === "RUNNING" && this.action.rec.startedAt === null) this.action.rec.startedAt = this.now();
    this.executor.setPhase(this.action, phase);
    if (phase === "RUNNING") this.executor.armDeadline(this.action);
  }

  setState(state: ActionState): void {
    this.action.rec.state = state;
    this.executor.markDirty(this.action);
  }

  async succeed(outputs: core.LiteralMap, outputsUri?: string, encoded?: Uint8Array): Promise<void> {
    const a = this.action;
    if (outputsUri !== undefined) {
      a.rec.outputsUri = outputsUri;
      a.rec.outputs = null;
    } else {
      // Small outputs ride in the record (durable with the same commit that marks the action
      // SUCCEEDED); large ones are offloaded to outputs.pb, which the commit waits for.
      const bytes = encoded ?? toBinary(core.LiteralMapSchema, outputs);
      if (bytes.length <= this.services.settings.inlineOutputsMaxBytes) {
        a.rec.outputs = bytes;
        a.rec.outputsUri = null;
      } else {
        const uri = `${this.dataPrefix()}/outputs.pb`;
        this.executor.trackWrite(() => this.executor.writeBytes(uri, bytes));
        a.rec.outputs = null;
        a.rec.outputsUri = uri;
      }
    }
    a.outputs = outputs;
    this.executor.setPhase(a, "SUCCEEDED");
  }

  fail(error: ExecutionFailure, phase: Phase = "FAILED"): void {
    this.action.rec.error = error;
    this.executor.setPhase(this.action, phase);
  }

  skip(): void {
    this.executor.setPhase(this.action, "SKIPPED");
  }

  ensureChild(name: string, kind: ActionKind, spec: ActionSpec, options: ChildOptions = {}): LiveAction {
    const parent = this.action;
    const existing = parent.children.get(name);
    if (existing) return existing;
    const now = this.now();
    const rec: ActionRecord = {
      key: childKey(parent.rec.key, name),
      execution: parent.rec.execution,
      parent: parent.rec.key,
      kind,
      name,
      phase: options.phase ?? "QUEUED",
      attempt: 0,
      systemFailures: 0,
      state: options.state ?? {},
      inputsUri: null,
      outputsUri: null,
      outputs: null,
      error: null,
      startedAt: null,
      updatedAt: now,
    };
    const child = new LiveAction(rec, parent.exec, parent, spec);
    if (options.inputs) child.inputs = options.inputs;
    parent.addChild(name, child);
    this.executor.actions.set(rec.key, child);
    parent.exec.members.push(child);
    this.executor.markDirty(child);
    this.executor.hooks.onActionPhase(child, undefined);
    if (isTerminal(rec.phase)) this.executor.childChanged(child);
    else this.executor.wake(child);
    return child;
  }

  async abortChild(child: LiveAction, reason: string): Promise<void> {
    if (isTerminal(child.rec.phase)) return;
    const ctx = this.executor.context(child);
    await this.executor.handlerFor(child).abort(ctx, reason);
    ctx.fail({ kind: "USER", code: "Aborted", message: reason }, "ABORTED");
  }

  wakeAt(time: number): void {
    this.executor.wakeAt(this.action, time);
  }
  wakeLater(): void {
    this.executor.wake(this.action);
  }

  acquireSlot(): boolean {
    const exec = this.action.exec;
    const limit = exec.rec.options.maxParallelism ?? this.services.settings.maxParallelism;
    if (limit > 0 && exec.running >= limit) {
      if (!exec.slotWaiters.includes(this.action)) exec.slotWaiters.push(this.action);
      return false;
    }
    exec.running++;
    return true;
  }

  releaseSlot(): void {
    const exec = this.action.exec;
    exec.running = Math.max(0, exec.running - 1);
    const next = exec.slotWaiters.shift();
    if (next) this.executor.wake(next);
  }

  recordAttempt(attempt: AttemptRecord): void {
    this.executor.recordAttempt(this.action, attempt);
  }

  dataPrefix(): string {
    return `${this.services.settings.metadataPrefix}/${this.action.rec.key}`;
  }

  pluginFor(task: core.TaskTemplate): TaskPlugin {
    const plugin = this.executor.plugins.find((p) => p.canHandle(task));
    if (!plugin) {
      throw new UnsupportedError(
        `task ${task.id?.name ?? "?"}.type`,
        `no task plugin handles task type "${task.type}" (plugins: ${this.executor.plugins.map((p) => p.name).join(", ") || "none"})`,
      );
    }
    return plugin;
  }
}
