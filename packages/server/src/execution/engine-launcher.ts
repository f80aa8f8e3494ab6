// Drives @aloft/engine for the control plane: executions recorded by CreateExecution are handed to the engine,
// and the engine's events come back through the same event ingestion flytepropeller's would (CreateWorkflowEvent,
// CreateNodeEvent and CreateTaskEvent go through it too), so records are built the flyteadmin way whoever reports them.
import type { Engine, EventSink } from "@aloft/engine";
import { AdminError } from "../errors.ts";
import type { AdminContext, ExecutionLauncher, LaunchRequest } from "../context.ts";
import type { PhaseListener } from "../admin/events/workflow-event.ts";
import { eventBatcher, type AnyEvent } from "../admin/events/batch.ts";
import type { ChildExecutions } from "./child-executions.ts";
import type { ExecutionReporter } from "../observability/execution-report.ts";

export function engineLauncher(engine: Engine, reporter?: ExecutionReporter): ExecutionLauncher {
  return {
    async launch(r: LaunchRequest) {
      try {
        await create(r);
      } catch (e) {
        // CreateExecution marks the record FAILED with this error; it never reaches the engine's events.
        reporter?.neverStarted({ project: r.id.project, domain: r.id.domain, name: r.id.name }, "LaunchFailed", (e as Error).message, undefined);
        throw e;
      }
    },
    async terminate(id, cause) {
      await engine.abort(id, cause);
    },
    async setSignal(id, signalId, value) {
      await engine.setSignal(id, signalId, value);
    },
  };

  async function create(r: LaunchRequest): Promise<void> {
    await engine.createExecution({
      id: r.id,
      closure: r.closure,
      inputs: r.inputs,
      // Offloaded inputs CreateExecution has written durably already; small ones the engine keeps in its record.
      ...(r.inputsUri !== undefined ? { inputsUri: r.inputsUri } : {}),
      // Its execution record was just inserted under this id, which no earlier create can have used.
      reserved: true,
      options: {
        rawOutputPrefix: r.rawOutputPrefix,
        ...(r.maxParallelism > 0 ? { maxParallelism: r.maxParallelism } : {}),
        ...(r.interruptible !== undefined ? { interruptible: r.interruptible } : {}),
        ...(r.overwriteCache ? { overwriteCache: true } : {}),
      },
    });
  }
}

// Redelivered events (after a restart) and events for a phase already recorded are expected; they are not errors.
const ignorable = (e: Error | undefined) => e === undefined || (e instanceof AdminError && (e.code === "ALREADY_EXISTS" || e.code === "FAILED_PRECONDITION"));

/** `onApplied` is told each delivery's events and outcomes (undefined: applied), e.g. to count them. */
export function adminEventSink(
  ctx: AdminContext | (() => AdminContext),
  onPhase?: PhaseListener,
  children?: ChildExecutions,
  onApplied?: (events: AnyEvent[], results: (Error | undefined)[]) => void,
): EventSink {
  const get = typeof ctx === "function" ? ctx : () => ctx;
  const deliver = async (events: AnyEvent[]) => {
    const batcher = eventBatcher(get(), onPhase);
    let results = await batcher.submit(events);
    // The first event of a child execution started by a launch-plan node: record the child, then apply again
    // (in order) what failed for want of it: its own events and those of its nodes and tasks.
    const missing = results.map((r, i) => (r instanceof AdminError && r.code === "NOT_FOUND" ? i : -1)).filter((i) => i >= 0);
    if (missing.length && children) {
      let adopted = false;
      for (const i of missing) {
        const ev = events[i]!;
        if (ev.kind === "workflow" && ev.e.executionId && (await children.adopt(get(), ev.e.executionId))) adopted = true;
      }
      if (adopted) {
        const again = await batcher.submit(missing.map((i) => events[i]!));
        results = results.slice();
        missing.forEach((i, j) => (results[i] = again[j]));
      }
    }
    onApplied?.(events, results);
    const errors = results.filter((r) => !ignorable(r));
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} events were refused: ${errors[0]!.message}`);
  };
  return {
    batch: deliver,
    workflow: (e) => deliver([{ kind: "workflow", e }]),
    node: (e) => deliver([{ kind: "node", e }]),
    task: (e) => deliver([{ kind: "task", e }]),
  };
}
