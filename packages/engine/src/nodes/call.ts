// Tasks calling tasks (Flyte 2): each call a running task attempt makes becomes a `call` child action of the
// task's action, run by the task handler like any task node (cache, retries, plugins, abort). The child is named
// deterministically (call-name.ts), so a re-run of the parent attempt, after a crash or a retry, finds it again:
// a finished child answers at once from its record, a running one is awaited, never started twice. `trace` children
// hold a checkpointed function's result the same way.
import { equals, fromBinary, toBinary } from "@bufbuild/protobuf";
import { readProto, type BlobStore as StorageBlobStore } from "@aloft/storage";
import { core } from "@aloft/idl";
import { InvalidArgumentError } from "../errors.ts";
import { isTerminal, type ActionRecord } from "../model/action.ts";
import type { ChildActions, ChildCall, ChildOutcome } from "../plugins/plugin.ts";
import type { ActionSpec, LiveAction } from "../runtime/live.ts";
import { identifierKey } from "../runtime/scope.ts";
import { callName, inputsHash, taskIdentity } from "./call-name.ts";
import type { ActionContext, NodeHandler } from "./handler.ts";

/** What a call child keeps in its durable state: enough to rebuild its spec and inputs after a restart. */
interface CallState {
  call?: {
    /** Identifier key of the task in the execution's closure. */
    task: string;
    /** The task's name, for display. */
    label: string;
    seq: number;
    group?: string;
    /** The template (base64 TaskTemplate) when it is not the closure's, e.g. a call with overrides. */
    template?: string;
    /** Inline inputs (base64 LiteralMap) when small; else the record's inputsUri. */
    inputs?: string;
  };
  trace?: { name: string; seq: number; group?: string };
}

export const isCallChild = (r: ActionRecord): boolean => r.kind === "call" || r.kind === "trace";

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

/** Resumes the calls waiting on a child once it is terminal. */
type Waiter = (child: LiveAction) => void;
const waiting = new WeakMap<LiveAction, Waiter[]>();

/** Called by the parent's handler with the children that reached a terminal phase. */
export function settleCalls(parent: LiveAction): void {
  for (const name of parent.changed) {
    const child = parent.children.get(name);
    if (!child || !isTerminal(child.rec.phase)) continue;
    const ws = waiting.get(child);
    if (!ws) continue;
    waiting.delete(child);
    for (const w of ws) w(child);
  }
}

function scopeOf(a: LiveAction) {
  return a.spec.scope;
}

// Templates found equal to the closure's, by object: a call site passes the same template object each time.
const sameAsClosure = new WeakSet<core.TaskTemplate>();

/** The child actions of one task attempt. Sequence numbers count per attempt, so a re-run counts the same way. */
export class AttemptCalls implements ChildActions {
  readonly #seq = new Map<string, number>();
  readonly #pending = new Set<(err: Error) => void>();
  #aborted: Error | undefined;

  constructor(private readonly ctx: ActionContext) {}

  /** The attempt ended or was aborted: calls still waiting fail with `reason`. */
  abort(reason: unknown): void {
    this.#aborted = reason instanceof Error ? reason : new Error(String(reason));
    for (const reject of this.#pending) reject(this.#aborted);
    this.#pending.clear();
  }

  sequence(key: string, group?: string): number {
    return this.#next(`key:${key}`, group);
  }

  #next(identity: string, group: string | undefined): number {
    const k = `${identity}\u0000${group ?? ""}`;
    const n = this.#seq.get(k) ?? 0;
    this.#seq.set(k, n + 1);
    return n;
  }

  async call(c: ChildCall): Promise<ChildOutcome> {
    if (this.#aborted) throw this.#aborted;
    const parent = this.ctx.action;
    if (!c.task.id) throw new InvalidArgumentError("call.task.id", "is required");
    const identity = taskIdentity(c.task.id);
    const seq = c.seq ?? this.#next(identity, c.group);
    const name = callName({ parentAction: parent.key, task: identity, inputsHash: inputsHash(c.inputs), seq, group: c.group });
    let child = parent.children.get(name);
    if (!child) {
      const scope = scopeOf(parent);
      const key = identifierKey(c.task.id);
      const state: CallState["call"] = { task: key, label: c.task.id.name, seq };
      if (c.group) state.group = c.group;
      if (!this.#inClosure(key, c.task)) {
        state.template = b64(toBinary(core.TaskTemplateSchema, c.task));
      }
      // The inputs must outlive this process: small ones ride in the record, larger ones are written first.
      const bytes = toBinary(core.LiteralMapSchema, c.inputs);
      let inputsUri: string | null = null;
      if (bytes.length <= this.ctx.services.settings.inlineOutputsMaxBytes) state.inputs = b64(bytes);
      else {
        inputsUri = `${this.ctx.dataPrefix()}/${name}/inputs.pb`;
        await this.ctx.blobs.put(inputsUri, bytes);
        child = parent.children.get(name);
      }
      if (this.#aborted) throw this.#aborted;
      child ??= this.ctx.ensureChild(name, "call", { kind: "call", task: c.task, scope }, { inputs: c.inputs, state: { call: state } });
      if (inputsUri && !child.rec.inputsUri) child.rec.inputsUri = inputsUri;
    }
    return this.#outcome(await this.#finished(child));
  }

  #inClosure(key: string, task: core.TaskTemplate): boolean {
    const known = scopeOf(this.ctx.action).tasks.get(key);
    if (!known) return false;
    if (known === task || sameAsClosure.has(task)) return true;
    if (!equals(core.TaskTemplateSchema, known, task)) return false;
    sameAsClosure.add(task);
    return true;
  }

  #finished(child: LiveAction): Promise<LiveAction> {
    if (isTerminal(child.rec.phase)) return Promise.resolve(child);
    return new Promise<LiveAction>((resolve, reject) => {
      const done: Waiter = (c) => {
        this.#pending.delete(reject);
        resolve(c);
      };
      this.#pending.add(reject);
      const ws = waiting.get(child);
      if (ws) ws.push(done);
      else waiting.set(child, [done]);
    });
  }

  async #outcome(child: LiveAction): Promise<ChildOutcome> {
    const r = child.rec;
    if (r.phase === "SUCCEEDED") return { phase: "SUCCEEDED", outputs: await this.ctx.outputsOf(child), action: child.key };
    const error = r.error ?? { kind: "SYSTEM" as const, code: "Unknown", message: `child action ${r.name} ended ${r.phase}` };
    const phase = r.phase === "ABORTED" || r.phase === "TIMED_OUT" || r.phase === "SKIPPED" ? r.phase : "FAILED";
    return { phase, error: { kind: error.kind, code: error.code, message: error.message }, action: child.key };
  }

  async trace(fnName: string, inputs: core.LiteralMap, compute: () => Promise<core.LiteralMap>, group?: string, seqNo?: number): Promise<core.LiteralMap> {
    if (this.#aborted) throw this.#aborted;
    const parent = this.ctx.action;
    const identity = `trace:${fnName}`;
    const seq = seqNo ?? this.#next(identity, group);
    const name = callName({ parentAction: parent.key, task: identity, inputsHash: inputsHash(inputs), seq, group });
    const recorded = parent.children.get(name);
    if (recorded?.rec.phase === "SUCCEEDED") return this.ctx.outputsOf(recorded);
    const outputs = await compute();
    if (this.#aborted) throw this.#aborted;
    const bytes = toBinary(core.LiteralMapSchema, outputs);
    let outputsUri: string | null = null;
    if (bytes.length > this.ctx.services.settings.inlineOutputsMaxBytes) {
      outputsUri = `${this.ctx.dataPrefix()}/${name}/outputs.pb`;
      await this.ctx.blobs.put(outputsUri, bytes);
    }
    if (parent.children.has(name)) return outputs;
    const state: CallState["trace"] = { name: fnName, seq };
    if (group) state.group = group;
    // Recorded already finished: the record and its outputs commit together.
    const child = this.ctx.ensureChild(name, "trace", { kind: "trace", scope: scopeOf(parent) }, { phase: "SUCCEEDED", state: { trace: state } });
    child.rec.outputs = outputsUri ? null : bytes;
    child.rec.outputsUri = outputsUri;
    child.outputs = outputs;
    return outputs;
  }
}

/** Rebuilds a call or trace child's spec after a restart. */
export async function callChildSpec(ctx: ActionContext, child: ActionRecord): Promise<ActionSpec> {
  const scope = scopeOf(ctx.action);
  if (child.kind === "trace") return { kind: "trace", scope };
  const s = (child.state as CallState).call;
  if (!s) throw new InvalidArgumentError(child.key, "is a call action without its call state");
  const task = s.template ? fromBinary(core.TaskTemplateSchema, unb64(s.template)) : scope.tasks.get(s.task);
  if (!task) throw new InvalidArgumentError(child.key, `calls task ${s.task}, which is not in the execution's closure`);
  return { kind: "call", task, scope };
}

/** Re-derives a call child's inputs after a restart. */
export async function callChildInputs(ctx: ActionContext, child: LiveAction): Promise<core.LiteralMap> {
  const s = (child.rec.state as CallState).call;
  if (s?.inputs) return fromBinary(core.LiteralMapSchema, unb64(s.inputs));
  if (child.rec.inputsUri) return readProto(ctx.blobs as StorageBlobStore, child.rec.inputsUri, core.LiteralMapSchema);
  throw new InvalidArgumentError(child.key, "has no recorded inputs");
}

/** Trace children are recorded finished; nothing ever runs them. */
export const traceHandler: NodeHandler = {
  async handle(ctx) {
    ctx.fail({ kind: "SYSTEM", code: "TraceNotRecorded", message: `trace ${ctx.action.rec.name} has no recorded result` });
  },
  async abort() {},
};

/** What the tree shows for a call or trace child: the task or function name, and its group. */
export function callLabel(r: ActionRecord): { label: string; group?: string } | undefined {
  const s = r.state as CallState;
  if (s.call) return s.call.group ? { label: s.call.label, group: s.call.group } : { label: s.call.label };
  if (s.trace) return s.trace.group ? { label: s.trace.name, group: s.trace.group } : { label: s.trace.name };
  return undefined;
}
