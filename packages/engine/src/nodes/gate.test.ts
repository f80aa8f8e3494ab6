import { describe, expect, it } from "vitest";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { core, types, lit } from "@aloft/idl";
import { bindings, closure, executionId, promise, type WorkflowSpec } from "../testing/closures.ts";
import { useEngines } from "../testing/engine.ts";
import { int, ints } from "../testing/values.ts";

const engineWith = useEngines();

function gateSpec(condition: NonNullable<MessageInitShape<typeof core.GateNodeSchema>["condition"]>, outputs: Record<string, core.LiteralType>, outVar: string): WorkflowSpec {
  const g = create(core.NodeSchema, { id: "g", inputs: bindings({ a: promise("start-node", "a") }), target: { case: "gateNode", value: { condition } } });
  return { name: "gated", inputs: { a: types.integer() }, outputs, nodes: [g], outputBindings: outVar ? { r: promise("g", outVar) } : {} };
}

describe("gate node", () => {
  it("waits for a typed signal and outputs its value", async () => {
    const { engine } = await engineWith({});
    const id = executionId("signal");
    const spec = gateSpec({ case: "signal", value: { signalId: "s1", type: types.integer(), outputVariableName: "o" } }, { r: types.integer() }, "o");
    await engine.createExecution({ id, closure: closure(spec, []), inputs: ints({ a: 1 }) });
    await new Promise((r) => setTimeout(r, 20));
    expect((await engine.getExecution(id))?.phase).toBe("RUNNING");
    await engine.setSignal(id, "s1", lit.integer(77));
    const r = await engine.wait(id);
    expect(int(r.outputs, "r")).toBe(77);
  });

  it("passes inputs through on approval and fails on rejection", async () => {
    const { engine } = await engineWith({});
    const spec = gateSpec({ case: "approve", value: { signalId: "ok" } }, { r: types.integer() }, "a");
    const yes = executionId("approve-yes");
    const no = executionId("approve-no");
    await engine.createExecution({ id: yes, closure: closure(spec, []), inputs: ints({ a: 5 }) });
    await engine.createExecution({ id: no, closure: closure(spec, []), inputs: ints({ a: 5 }) });
    await engine.approve(yes, "ok", true);
    await engine.approve(no, "ok", false);
    expect(int((await engine.wait(yes)).outputs, "r")).toBe(5);
    const rejected = await engine.wait(no);
    expect(rejected.phase).toBe("FAILED");
    expect(rejected.error?.code).toBe("ReceivedRejectSignal");
  });

  it("a signal set before the gate is reached is used when it is", async () => {
    const { engine } = await engineWith({});
    const id = executionId("signal-early");
    await engine.setSignal(id, "s1", lit.integer(3));
    const spec = gateSpec({ case: "signal", value: { signalId: "s1", type: types.integer(), outputVariableName: "o" } }, { r: types.integer() }, "o");
    await engine.createExecution({ id, closure: closure(spec, []), inputs: ints({ a: 1 }) });
    expect(int((await engine.wait(id)).outputs, "r")).toBe(3);
  });

  it("sleeps for the gate's duration", async () => {
    const { engine } = await engineWith({});
    const id = executionId("sleep");
    const spec = gateSpec({ case: "sleep", value: { duration: { seconds: 0n, nanos: 60_000_000 } } }, {}, "");
    const t0 = Date.now();
    await engine.createExecution({ id, closure: closure(spec, []), inputs: ints({ a: 1 }) });
    expect((await engine.wait(id)).phase).toBe("SUCCEEDED");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
  });
});
