// Persistence seam of the engine. The executor keeps live state in memory and hands each round's
// changes to `commit` as one batch, which a durable store writes in one transaction.
import type { ActionRecord, AttemptRecord, ExecutionRecord, SignalRecord } from "../model/action.ts";

export interface CommitBatch {
  executions: ExecutionRecord[];
  actions: ActionRecord[];
  attempts: AttemptRecord[];
}

export interface EngineStore {
  readonly durable: boolean;
  init(): Promise<void>;
  /** Writes every record of the batch atomically (upsert by key). */
  commit(batch: CommitBatch): Promise<void>;
  getExecution(key: string): Promise<ExecutionRecord | undefined>;
  /** The executions among `keys` that exist (one query for many: concurrent creates check together). */
  getExecutions(keys: readonly string[]): Promise<ExecutionRecord[]>;
  listUnfinishedExecutions(): Promise<ExecutionRecord[]>;
  listActions(execution: string): Promise<ActionRecord[]>;
  listAttempts(execution: string): Promise<AttemptRecord[]>;
  /** Attempts of `execution` recorded as started and never as ended: the ones a stopped engine lost. */
  listRunningAttempts(execution: string): Promise<AttemptRecord[]>;
  putSignal(signal: SignalRecord): Promise<void>;
  getSignal(execution: string, signalId: string): Promise<SignalRecord | undefined>;
  close(): Promise<void>;
}
