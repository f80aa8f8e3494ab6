// The executions the crash test runs, and the output each node must end with.
import { create } from "@bufbuild/protobuf";
import { core, lit, types } from "@aloft/idl";
import { bindings, closure, executionId, promise, task, taskNode, type WorkflowSpec } from "../../src/testing/closures.ts";
import { callName, inputsHash, taskIdentity } from "../../src/nodes/call-name.ts";

export const CHAINS = 4;
// Sized so that the work spans most of the crash test's 20 lives (a life makes ~0.2 s of progress).
export const CHAIN_LENGTH = 200;
export const MAP_ITEMS = 150;
/** Children of the Flyte 2 task, called `FAN_BATCH` at a time (Promise.all), batch after batch. */
export const FAN_CALLS = 120;
export const FAN_BATCH = 3;

export const inc = task("inc", { x: types.integer() }, { o: types.integer(), run: types.string() });
/** A Flyte 2 task: calls inc(x = 7i) for i < n as child actions and returns the sum of their o. */
export const fan = task("fan", { n: types.integer() }, { o: types.integer(), run: types.string() });
export const fanInput = (i: number) => create(core.LiteralMapSchema, { literals: { x: lit.integer(7 * i) } });

export interface Work {
  id: core.WorkflowExecutionIdentifier;
  closure: core.CompiledWorkflowClosure;
  inputs: core.LiteralMap;
  /** Expected `o` of each node, by node name (under `prefix`, e.g. "map/"); and of the execution. */
  expectedNodes: Map<string, number>;
  prefix: string;
  expectedOutput: number | number[];
}

export function crashWorkload(): Work[] {
  const work: Work[] = [];
  for (let c = 0; c < CHAINS; c++) {
    const start = c * 1000;
    const nodes = Array.from({ length: CHAIN_LENGTH }, (_, i) => taskNode(`n${i}`, inc, { x: i === 0 ? promise("start-node", "a") : promise(`n${i - 1}`, "o") }));
    const spec: WorkflowSpec = { name: "chain", inputs: { a: types.integer() }, outputs: { r: types.integer() }, nodes, outputBindings: { r: promise(`n${CHAIN_LENGTH - 1}`, "o") } };
    const expectedNodes = new Map(nodes.map((n, i) => [n.id, start + i + 1]));
    work.push({ id: executionId(`crash-chain-${c}`), closure: closure(spec, [inc]), inputs: create(core.LiteralMapSchema, { literals: { a: lit.integer(start) } }), expectedNodes, prefix: "", expectedOutput: start + CHAIN_LENGTH });
  }
  const arr = create(core.NodeSchema, { id: "map", inputs: bindings({ x: promise("start-node", "xs") }), target: { case: "arrayNode", value: { node: taskNode("sub", inc, {}), parallelismOption: { case: "parallelism", value: 8 } } } });
  const xs = Array.from({ length: MAP_ITEMS }, (_, i) => i * 10);
  work.push({
    id: executionId("crash-map"),
    closure: closure({ name: "map", inputs: { xs: types.list(types.integer()) }, outputs: { r: types.list(types.integer()) }, nodes: [arr], outputBindings: { r: promise("map", "o") } }, [inc]),
    inputs: create(core.LiteralMapSchema, { literals: { xs: lit.collection(xs.map((x) => lit.integer(x))) } }),
    expectedNodes: new Map(xs.map((x, i) => [String(i), x + 1])),
    prefix: "map/",
    expectedOutput: xs.map((x) => x + 1),
  });
  // The Flyte 2 task's children, by the names the engine gives them (a re-run parent must find the same ones).
  const fanId = executionId("crash-fan");
  const parentAction = `${fanId.project}/${fanId.domain}/${fanId.name}/n0`;
  const children = Array.from({ length: FAN_CALLS }, (_, i) => [callName({ parentAction, task: taskIdentity(inc.id), inputsHash: inputsHash(fanInput(i)), seq: i }), 7 * i + 1] as const);
  work.push({
    id: fanId,
    closure: closure({ name: "fan", inputs: { n: types.integer() }, outputs: { r: types.integer() }, nodes: [taskNode("n0", fan, { n: promise("start-node", "n") })], outputBindings: { r: promise("n0", "o") } }, [fan, inc]),
    inputs: create(core.LiteralMapSchema, { literals: { n: lit.integer(FAN_CALLS) } }),
    expectedNodes: new Map(children),
    prefix: "n0/",
    expectedOutput: children.reduce((a, [, o]) => a + o, 0),
  });
  return work;
}
