// Drives @aloft/engine for the control plane: executions recorded by CreateExecution are handed to the engine,
// and the engine's events come back through the same event handlers flytepropeller's would (createWorkflowEvent,
// createNodeEvent, createTaskEvent), so records are built the flyteadmin way whoever reports them.
import { create } from "@bufbuild/protobuf";
import { admin, type event } from "@aloft/idl";
import type { Engine, EventSink } from "@aloft/engine";
import { AdminError } from "../errors.ts";
import type { AdminContext, ExecutionLauncher, LaunchRequest } from "../context.ts";
import { createWorkflowEvent, type PhaseListener } from "../admin/events/workflow-event.ts";
import { createNodeEvent } from "../admin/events/node-event.ts";
import { createTaskEvent } from "../admin/events/task-event.ts";
import type { ChildExecutions } from "./child-executions.ts";

export function engineLauncher(engine: Engine): ExecutionLauncher {
  return {
    async launch(r: LaunchRequest) {
      await engine.createExecution({
        id: r.id,
        closure: r.closure,
        inputs: r.inputs,
        options: {
          rawOutputPrefix: r.rawOutputPrefix,
          ...(r.maxParallelism > 0 ? { maxParallelism: r.maxParallelism } : {}),
          ...(r.interruptible !== undefined ? { interruptible: r.interruptible } : {}),
          ...(r.overwriteCache ? { overwriteCache: true } : {}),
        },
      });
    },
    async terminate(id, cause) {
      await engine.abort(id, cause);
    },
    async setSignal(id, signalId, value) {
      await engine.setSignal(id, signalId, value);
    },
  };
}

// Redelivered events (after a restart) and events for a phase already recorded are expected; they are not errors.
function ignoreDuplicates(e: unknown): void {
  if (e instanceof AdminError && (e.code === "ALREADY_EXISTS" || e.code === "FAILED_PRECONDITION")) return;
  throw e;
}

export function adminEventSink(ctx: AdminContext | (() => AdminContext), onPhase?: PhaseListener, children?: ChildExecutions): EventSink {
  const get = typeof ctx === "function" ? ctx : () => ctx;
  return {
    async workflow(e: event.WorkflowExecutionEvent) {
      const req = create(admin.WorkflowExecutionEventRequestSchema, { event: e });
      try {
        await createWorkflowEvent(get(), req, onPhase);
      } catch (err) {
        // The first event of a child execution started by a launch-plan node: record the child, then apply it.
        if (err instanceof AdminError && err.code === "NOT_FOUND" && e.executionId && children && (await children.adopt(get(), e.executionId))) {
          await createWorkflowEvent(get(), req, onPhase).catch(ignoreDuplicates);
          return;
        }
        ignoreDuplicates(err);
      }
    },
    async node(e: event.NodeExecutionEvent) {
      await createNodeEvent(get(), create(admin.NodeExecutionEventRequestSchema, { event: e })).catch(ignoreDuplicates);
    },
    async task(e: event.TaskExecutionEvent) {
      await createTaskEvent(get(), create(admin.TaskExecutionEventRequestSchema, { event: e })).catch(ignoreDuplicates);
    },
  };
}
