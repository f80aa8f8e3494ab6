import { describe, expect, it } from "vitest";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { core, types, lit } from "@aloft/idl";
import { bindings, closure, executionId, promise, scalarBinding, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { useEngines } from "../testing/engine.ts";
import { int, intOf, ints } from "../testing/values.ts";

const engineWith = useEngines();
const sq = task("sq", { x: types.integer(), k: types.integer() }, { o: types.integer() });

function mapSpec(extra: Omit<MessageInitShape<typeof core.ArrayNodeSchema>, "node"> = {}): WorkflowSpec {
  const arr = create(core.NodeSchema, {
    id: "map",
    inputs: bindings({ x: promise("start-node", "xs"), k: scalarBinding(lit.integer(100)) }),
    target: { case: "arrayNode", value: create(core.ArrayNodeSchema, { ...extra, node: taskNode("map-sub", sq, {}) } as MessageInitShape<typeof core.ArrayNodeSchema>) },
  });
  return { name: "mapper", inputs: { xs: types.list(types.integer()) }, outputs: { r: types.list(types.integer()) }, nodes: [arr], outputBindings: { r: promise("map", "o") } };
}

const list = (xs: number[]) => create(core.LiteralMapSchema, { literals: { xs: lit.collection(xs.map((x) => lit.integer(x))) } });
const outList = (m: core.LiteralMap | undefined) => {
  const l = m?.literals.r;
  if (l?.value.case !== "collection") throw new Error("not a list");
  return l.value.value.literals.map(intOf);
};

describe("array node", () => {
  it("maps a task over list inputs, broadcasting scalar inputs, within its parallelism", async () => {
    let running = 0;
    let peak = 0;
    const { engine } = await engineWith({
      sq: async (i) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        return { kind: "success", outputs: ints({ o: int(i, "x") ** 2 + int(i, "k") }) };
      },
    });
    const id = executionId("map");
    await engine.createExecution({ id, closure: closure(mapSpec({ parallelismOption: { case: "parallelism", value: 2 } }), [sq]), inputs: list([1, 2, 3, 4, 5]) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("SUCCEEDED");
    expect(outList(r.outputs)).toEqual([101, 104, 109, 116, 125]);
    expect(peak).toBe(2);
  });

  it("succeeds with None for failed items when min_success_ratio is met", async () => {
    const { engine } = await engineWith({
      sq: (i) => (int(i, "x") % 2 === 0 ? { kind: "failure", error: { kind: "USER", code: "Odd", message: "even input", recoverable: false } } : { kind: "success", outputs: ints({ o: int(i, "x") }) }),
    });
    const id = executionId("map-ratio");
    await engine.createExecution({ id, closure: closure(mapSpec({ successCriteria: { case: "minSuccessRatio", value: 0.5 } }), [sq]), inputs: list([1, 2, 3, 4]) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("SUCCEEDED");
    expect(outList(r.outputs)).toEqual([1, null, 3, null]);
  });

  it("fails once min_successes can no longer be reached", async () => {
    const { engine } = await engineWith({
      sq: (i) => (int(i, "x") > 1 ? { kind: "failure", error: { kind: "USER", code: "Big", message: "too big", recoverable: false } } : { kind: "success", outputs: ints({ o: 1 }) }),
    });
    const id = executionId("map-min");
    await engine.createExecution({ id, closure: closure(mapSpec({ successCriteria: { case: "minSuccesses", value: 3 } }), [sq]), inputs: list([1, 2, 3, 4]) });
    const r = await engine.wait(id);
    expect(r.phase).toBe("FAILED");
    expect(r.error?.message).toMatch(/subtasks failed \(at least 3 must succeed\); first: too big/);
  });

  it("rejects list inputs of different lengths, naming the input", async () => {
    const { engine } = await engineWith({ sq: () => ({ kind: "success", outputs: ints({ o: 1 }) }) });
    const arr = create(core.NodeSchema, {
      id: "map",
      inputs: bindings({ x: promise("start-node", "xs"), k: promise("start-node", "ks") }),
      target: { case: "arrayNode", value: { node: taskNode("map-sub", sq, {}) } },
    });
    const spec: WorkflowSpec = { name: "mismatch", inputs: { xs: types.list(types.integer()), ks: types.list(types.integer()) }, nodes: [arr] };
    const id = executionId("map-mismatch");
    const inputs = create(core.LiteralMapSchema, { literals: { xs: lit.collection([lit.integer(1)]), ks: lit.collection([lit.integer(1), lit.integer(2)]) } });
    await engine.createExecution({ id, closure: closure(spec, [sq]), inputs });
    const r = await engine.wait(id);
    expect(r.phase).toBe("FAILED");
    expect(r.error?.message).toMatch(/map\.inputs\.k: has 2 items but another list input has 1/);
  });
});
