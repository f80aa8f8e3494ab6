// Collects the events of a round and delivers them, in order, after the round's commit. Events
// never describe state that is not yet durable; a crash between commit and delivery is covered by
// re-sending the current phase of every resumed entity (the sink dedupes).
import type { AttemptRecord, Phase } from "../model/action.ts";
import type { ExecutorHooks } from "../runtime/executor.ts";
import type { LiveAction, LiveExecution } from "../runtime/live.ts";
import { emitsNodeEvents, nodeEvent, taskEvent, workflowEvent } from "./builder.ts";
import type { EventSink, SinkEvent } from "./sink.ts";
import { taskOf } from "../nodes/task.ts";
import { classifyFault, type StoreFaultError } from "../db/faults.ts";

type Pending = SinkEvent;

export class EventPublisher implements ExecutorHooks {
  #pending: Pending[] = [];
  #stopped = false;
  #wakeups = new Set<() => void>();
  /**
   * The store fault a delivery is waiting out. Commits queue behind delivery, so while it is set the engine is as
   * paused as when a commit itself fails.
   */
  waitingOn: StoreFaultError | undefined;
  constructor(
    private readonly sink: EventSink | undefined,
    private readonly onError: (err: unknown) => void,
  ) {}

  onActionPhase(action: LiveAction, _previous: Phase | undefined): void {
    if (!this.sink || !emitsNodeEvents(action)) return;
    this.#pending.push({ kind: "node", e: nodeEvent(action, action.rec.updatedAt) });
  }

  onAttempt(action: LiveAction, attempt: AttemptRecord): void {
    if (!this.sink) return;
    let task;
    try {
      task = taskOf(action);
    } catch {
      task = undefined;
    }
    this.#pending.push({ kind: "task", e: taskEvent(action, task, attempt, attempt.endedAt ?? attempt.startedAt) });
  }

  onExecutionPhase(execution: LiveExecution, _previous: Phase | undefined): void {
    if (!this.sink) return;
    this.#pending.push({ kind: "workflow", e: workflowEvent(execution, execution.rec.updatedAt) });
  }

  take(): () => Promise<void> {
    if (!this.sink || this.#pending.length === 0) return noEvents;
    const batch = this.#pending;
    this.#pending = [];
    return () => this.#deliver(batch);
  }

  async #deliver(batch: Pending[]): Promise<void> {
    const sink = this.sink!;
    if (sink.batch) {
      await this.#retrying(() => sink.batch!(batch));
      return;
    }
    for (const p of batch) {
      await this.#retrying(async () => {
        if (p.kind === "workflow") await sink.workflow(p.e);
        else if (p.kind === "node") await sink.node(p.e);
        else await sink.task(p.e);
      });
    }
  }

  /**
   * Delivers, again after a backoff while the sink's store is away (its database unreachable): the control plane's
   * records must catch up once it returns, and the sink dedupes what it had applied. Other failures are reported and
   * dropped: they must not stop executions (the control plane catches up from redelivery at the next start).
   */
  async #retrying(deliver: () => Promise<void>): Promise<void> {
    for (let backoff = 100; ; backoff = Math.min(backoff * 2, 5000)) {
      try {
        await deliver();
        this.waitingOn = undefined;
        return;
      } catch (err) {
        const fault = classifyFault(err, "database");
        if (this.#stopped || !fault) {
          this.waitingOn = undefined;
          this.onError(err);
          return;
        }
        this.waitingOn = fault;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, backoff);
          this.#wakeups.add(() => (clearTimeout(t), resolve()));
        });
        this.#wakeups.clear();
      }
    }
  }

  /** Ends retries in progress (the engine is stopping). */
  stop(): void {
    this.#stopped = true;
    for (const wake of this.#wakeups) wake();
    this.#wakeups.clear();
  }
}

const noEvents = async () => {};
