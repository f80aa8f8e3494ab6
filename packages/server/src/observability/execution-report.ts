// One info log line per execution created, finished and failed, with its ids, phase and duration, and the matching
// metrics. Fed by the phase changes the control plane records (so a redelivered event is not reported twice), by
// launches that fail before the engine takes the execution, and by the start-up sweep.
import type { Logger } from "pino";
import { admin, core } from "@aloft/idl";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { PhaseListener } from "../admin/events/workflow-event.ts";
import type { ServerMetrics } from "./metrics.ts";

export interface ExecutionIds {
  project: string;
  domain: string;
  name: string;
}

const failedPhases = new Set([core.WorkflowExecution_Phase.FAILED, core.WorkflowExecution_Phase.TIMED_OUT]);
const finishedPhases = new Set([core.WorkflowExecution_Phase.SUCCEEDED, core.WorkflowExecution_Phase.ABORTED]);
// A log line stays a line: long task errors (stack traces) are cut.
const MAX_MESSAGE = 500;

const phaseName = (p: core.WorkflowExecution_Phase) => core.WorkflowExecution_Phase[p] ?? "UNDEFINED";
const cut = (s: string) => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s);

export class ExecutionReporter {
  constructor(
    private readonly log: Logger,
    private readonly metrics?: ServerMetrics,
  ) {}

  /** The listener for recorded phase changes. */
  readonly onPhase: PhaseListener = (execution, previous) => {
    const closure = execution.closure;
    const id = execution.id;
    if (!closure || !id) return;
    const ids = { project: id.project, domain: id.domain, name: id.name };
    if (previous === core.WorkflowExecution_Phase.UNDEFINED) {
      this.metrics?.executionCreated();
      const lp = execution.spec?.launchPlan;
      this.log.info({ execution: ids, phase: phaseName(closure.phase), ...(lp ? { launchPlan: `${lp.project}/${lp.domain}/${lp.name}/${lp.version}` } : {}) }, "execution created");
    }
    if (!failedPhases.has(closure.phase) && !finishedPhases.has(closure.phase)) return;
    const durationMs = closure.duration ? Number(closure.duration.seconds) * 1000 + Math.floor(closure.duration.nanos / 1e6) : sinceCreated(closure);
    const error = closure.outputResult.case === "error" ? closure.outputResult.value : undefined;
    this.#ended(ids, closure.phase, durationMs, error ? { code: error.code, kind: core.ExecutionError_ErrorKind[error.kind] ?? "UNKNOWN", message: error.message } : undefined);
  };

  /** An execution recorded but not taken by the engine (its record is marked FAILED with this reason). */
  neverStarted(ids: ExecutionIds, code: string, message: string, createdAt: Date | undefined): void {
    this.#ended(ids, core.WorkflowExecution_Phase.FAILED, createdAt ? Math.max(0, Date.now() - createdAt.getTime()) : 0, { code, kind: "SYSTEM", message });
  }

  #ended(ids: ExecutionIds, phase: core.WorkflowExecution_Phase, durationMs: number, error: { code: string; kind: string; message: string } | undefined): void {
    this.metrics?.executionFinished(phase, durationMs);
    const fields = { execution: ids, phase: phaseName(phase), durationMs };
    if (failedPhases.has(phase)) this.log.info({ ...fields, ...(error ? { error: { ...error, message: cut(error.message) } } : {}) }, "execution failed");
    else this.log.info(fields, "execution finished");
  }
}

function sinceCreated(closure: admin.ExecutionClosure): number {
  return closure.createdAt ? Math.max(0, Date.now() - timestampMs(closure.createdAt)) : 0;
}
