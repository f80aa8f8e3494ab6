// Commits queue behind the delivery of the events before them: while the control plane's database is away the
// engine waits, and says so through pausedBy, until delivery succeeds.
import { expect, it } from "vitest";
import { types } from "@aloft/idl";
import { closure, executionId, promise, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { useEngines } from "../testing/engine.ts";
import { int, ints } from "../testing/values.ts";
import type { EventSink, SinkEvent } from "./sink.ts";

const engineWith = useEngines();
const inc = task("inc", { x: types.integer() }, { o: types.integer() });
const one: WorkflowSpec = { name: "one", inputs: { a: types.integer() }, outputs: { r: types.integer() }, nodes: [taskNode("n0", inc, { x: promise("start-node", "a") })], outputBindings: { r: promise("n0", "o") } };

it("reports the sink's store fault as pausedBy while events wait for it, and clears it once they are delivered", async () => {
  let down = false;
  const delivered: SinkEvent[] = [];
  const sink: EventSink = {
    workflow: () => {},
    node: () => {},
    task: () => {},
    async batch(events) {
      if (down) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
      delivered.push(...events);
    },
  };
  const { engine } = await engineWith({ inc: async (i) => ({ kind: "success", outputs: ints({ o: int(i, "x") + 1 }) }) }, { events: sink });
  down = true;
  const id = executionId("sink-away");
  const created = engine.createExecution({ id, closure: closure(one, [inc]), inputs: ints({ a: 1 }) });
  for (let i = 0; i < 200 && !engine.pausedBy; i++) await new Promise((r) => setTimeout(r, 10));
  expect(engine.pausedBy?.message).toBe("database is unreachable (connection refused); retry in 1 s");
  down = false;
  await created;
  expect((await engine.wait(id)).phase).toBe("SUCCEEDED");
  for (let i = 0; i < 200 && engine.pausedBy; i++) await new Promise((r) => setTimeout(r, 10));
  expect(engine.pausedBy).toBeUndefined();
  expect(delivered.some((e) => e.kind === "workflow")).toBe(true);
});
