// In-memory store for local runs (the SDK's in-process runner): no durability, minimal overhead.
// The executor hands over copies taken when the batch was cut, so they are stored as they are.
import type { ActionRecord, AttemptRecord, ExecutionRecord, SignalRecord } from "../model/action.ts";
import type { CommitBatch, EngineStore } from "./store.ts";
import { isTerminal } from "../model/action.ts";

export class MemoryStore implements EngineStore {
  readonly durable = false;
  readonly #executions = new Map<string, ExecutionRecord>();
  readonly #actions = new Map<string, Map<string, ActionRecord>>();
  readonly #attempts = new Map<string, Map<string, AttemptRecord>>();
  readonly #signals = new Map<string, SignalRecord>();

  async init(): Promise<void> {}

  async commit(batch: CommitBatch): Promise<void> {
    for (const e of batch.executions) this.#executions.set(e.key, e);
    for (const a of batch.actions) {
      let m = this.#actions.get(a.execution);
      if (!m) this.#actions.set(a.execution, (m = new Map()));
      m.set(a.key, a);
    }
    for (const t of batch.attempts) {
      let m = this.#attempts.get(t.execution);
      if (!m) this.#attempts.set(t.execution, (m = new Map()));
      m.set(`${t.action}#${t.attempt}`, t);
    }
  }

  async getExecution(key: string) {
    const e = this.#executions.get(key);
    return e && { ...e };
  }
  async getExecutions(keys: readonly string[]) {
    const out: ExecutionRecord[] = [];
    for (const k of keys) {
      const e = this.#executions.get(k);
      if (e) out.push({ ...e });
    }
    return out;
  }
  async listUnfinishedExecutions() {
    return [...this.#executions.values()].filter((e) => !isTerminal(e.phase)).map((e) => ({ ...e }));
  }
  async listActions(execution: string) {
    return [...(this.#actions.get(execution)?.values() ?? [])].map((a) => ({ ...a }));
  }
  async listAttempts(execution: string) {
    return [...(this.#attempts.get(execution)?.values() ?? [])].map((a) => ({ ...a }));
  }
  async listRunningAttempts(execution: string) {
    return (await this.listAttempts(execution)).filter((a) => a.phase === "RUNNING");
  }
  async putSignal(signal: SignalRecord) {
    this.#signals.set(`${signal.execution}\u0000${signal.signalId}`, signal);
  }
  async getSignal(execution: string, signalId: string) {
    return this.#signals.get(`${execution}\u0000${signalId}`);
  }
  async close() {}
}

