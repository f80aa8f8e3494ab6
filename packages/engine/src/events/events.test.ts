import { describe, expect, it } from "vitest";
import { core, event, lit, types } from "@aloft/idl";
import { closure, executionId, promise, scalarBinding, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { useEngines } from "../testing/engine.ts";
import { int, ints } from "../testing/values.ts";
import type { EventSink } from "./sink.ts";
import { nodeEventVerdict, workflowEventVerdict } from "./ordering.ts";

const engineWith = useEngines();

class RecordingSink implements EventSink {
  readonly workflows: event.WorkflowExecutionEvent[] = [];
  readonly nodes: event.NodeExecutionEvent[] = [];
  readonly tasks: event.TaskExecutionEvent[] = [];
  workflow(e: event.WorkflowExecutionEvent) {
    this.workflows.push(e);
  }
  node(e: event.NodeExecutionEvent) {
    this.nodes.push(e);
  }
  task(e: event.TaskExecutionEvent) {
    this.tasks.push(e);
  }
}

const add = task("add", { x: types.integer() }, { o: types.integer() }, { retries: 1 });

describe("execution events", () => {
  it("sends workflow, node and task events whose phases never go backwards", async () => {
    const sink = new RecordingSink();
    const { engine } = await engineWith(
      {
        add: (i, ctx) =>
          ctx.nodeId === "b" && ctx.attempt === 0
            ? { kind: "failure", error: { kind: "USER", code: "Flaky", message: "flaky", recoverable: true } }
            : { kind: "success", outputs: ints({ o: int(i, "x") + 1 }) },
      },
      { events: sink },
    );
    const spec: WorkflowSpec = {
      name: "evts",
      outputs: { r: types.integer() },
      nodes: [taskNode("a", add, { x: scalarBinding(lit.integer(1)) }), taskNode("b", add, { x: promise("a", "o") })],
      outputBindings: { r: promise("b", "o") },
    };
    const id = executionId("events");
    await engine.createExecution({ id, closure: closure(spec, [add]), inputs: ints({}) });
    await engine.wait(id);
    await new Promise((r) => setTimeout(r, 10));

    expect(sink.workflows.map((e) => core.WorkflowExecution_Phase[e.phase])).toEqual(["QUEUED", "RUNNING", "SUCCEEDED"]);
    // Small outputs travel in the events themselves (output_data), as they are not in any outputs.pb.
    const wfOut = sink.workflows.at(-1)!.outputResult;
    expect(wfOut.case === "outputData" && int(wfOut.value, "r")).toBe(3);
    for (const nodeId of ["a", "b"]) {
      const phases = sink.nodes.filter((e) => e.id?.nodeId === nodeId).map((e) => e.phase);
      expect(phases.map((p) => core.NodeExecution_Phase[p])).toEqual(["QUEUED", "RUNNING", "SUCCEEDED"]);
      let current: core.NodeExecution_Phase | undefined;
      for (const p of phases) {
        expect(nodeEventVerdict(current, p)).toBe("apply");
        current = p;
      }
    }
    const bTasks = sink.tasks.filter((e) => e.parentNodeExecutionId?.nodeId === "b").map((e) => [e.retryAttempt, core.TaskExecution_Phase[e.phase]]);
    expect(bTasks).toEqual([
      [0, "RUNNING"],
      [0, "FAILED"],
      [1, "RUNNING"],
      [1, "SUCCEEDED"],
    ]);
    expect(sink.tasks.every((e) => e.taskId?.name === "add")).toBe(true);
  });

  it("treats a redelivered phase as a duplicate and refuses phases that go backwards", () => {
    const N = core.NodeExecution_Phase;
    expect(nodeEventVerdict(N.RUNNING, N.RUNNING)).toBe("duplicate");
    expect(nodeEventVerdict(N.RUNNING, N.QUEUED)).toBe("reject");
    expect(nodeEventVerdict(N.SUCCEEDED, N.RUNNING)).toBe("reject");
    expect(nodeEventVerdict(N.QUEUED, N.SUCCEEDED)).toBe("apply");
    const W = core.WorkflowExecution_Phase;
    expect(workflowEventVerdict(W.SUCCEEDED, W.SUCCEEDED)).toBe("duplicate");
    expect(workflowEventVerdict(W.FAILED, W.RUNNING)).toBe("reject");
  });
});
