// Compiler throughput on large generated workflows: a 10,000-node chain and a 10,000-node fan-out/fan-in.
// Prints figures only; run with `npx tsx bench/compile.ts` (optionally `--nodes N --runs R`).
import { create } from "@bufbuild/protobuf";
import { core, types } from "@aloft/idl";
import { compileWorkflow, getRequirements } from "@aloft/compiler";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const N = arg("nodes", 10_000);
const RUNS = arg("runs", 5);

const taskId = (name: string) => create(core.IdentifierSchema, { resourceType: core.ResourceType.TASK, project: "p", domain: "d", name, version: "v" });
const vars = (m: Record<string, core.LiteralType>) =>
  create(core.VariableMapSchema, { variables: Object.fromEntries(Object.entries(m).map(([k, type]) => [k, create(core.VariableSchema, { type })])) });
const task = (name: string, inputs: Record<string, core.LiteralType>, outputs: Record<string, core.LiteralType>) =>
  create(core.CompiledTaskSchema, {
    template: {
      id: taskId(name),
      interface: { inputs: vars(inputs), outputs: vars(outputs) },
      target: { case: "container", value: { image: "img", command: ["run"] } },
    },
  });
const promise = (nodeId: string, v: string) => create(core.BindingDataSchema, { value: { case: "promise", value: { nodeId, var: v } } });
const node = (id: string, taskName: string, inputs: Record<string, core.BindingData>) =>
  create(core.NodeSchema, {
    id,
    inputs: Object.entries(inputs).map(([v, binding]) => ({ var: v, binding })),
    target: { case: "taskNode", value: { reference: { case: "referenceId", value: taskId(taskName) } } },
  });
const workflow = (name: string, nodes: core.Node[], outputs: Record<string, core.BindingData>) =>
  create(core.WorkflowTemplateSchema, {
    id: { resourceType: core.ResourceType.WORKFLOW, project: "p", domain: "d", name, version: "v" },
    interface: { inputs: vars({ a: types.integer() }), outputs: vars({ o: types.integer() }) },
    nodes,
    outputs: Object.entries(outputs).map(([v, binding]) => ({ var: v, binding })),
  });

const inc = task("inc", { x: types.integer() }, { y: types.integer() });
const sum = task("sum", { xs: types.list(types.integer()) }, { y: types.integer() });

function chain(n: number) {
  const nodes = [node("n0", "inc", { x: promise("", "a") })];
  for (let i = 1; i < n; i++) nodes.push(node(`n${i}`, "inc", { x: promise(`n${i - 1}`, "y") }));
  return { wf: workflow("chain", nodes, { o: promise(`n${n - 1}`, "y") }), tasks: [inc] };
}

function fanOutIn(n: number) {
  const width = n - 1;
  const nodes: core.Node[] = [];
  for (let i = 0; i < width; i++) nodes.push(node(`w${i}`, "inc", { x: promise("", "a") }));
  const all = create(core.BindingDataSchema, {
    value: { case: "collection", value: { bindings: nodes.map((x) => promise(x.id, "y")) } },
  });
  nodes.push(node("join", "sum", { xs: all }));
  return { wf: workflow("fan", nodes, { o: promise("join", "y") }), tasks: [inc, sum] };
}

// `copy`: the caller keeps its template, so the compiler deep-copies it first (the SDK's default). `owned`: the
// template is handed over and compiled in place, as the server does with a decoded CreateWorkflow request; a
// fresh template is built before each timed run.
function measure(name: string, build: () => { wf: core.WorkflowTemplate; tasks: core.CompiledTask[] }, owned: boolean) {
  let { wf, tasks } = build();
  const times: number[] = [];
  for (let r = 0; r < RUNS + 1; r++) {
    if (owned && r > 0) ({ wf, tasks } = build());
    const t0 = performance.now();
    const reqs = getRequirements(wf, []);
    const res = compileWorkflow(wf, [], tasks, [], { takeOwnership: owned });
    const ms = performance.now() - t0;
    if (!reqs.ok || !res.ok) throw new Error(`${name} did not compile: ${res.ok ? "" : res.errors[0]?.message}`);
    if (r > 0) times.push(ms); // the first run warms up the JIT
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const nodes = N;
  console.log(
    `${`${name} ${owned ? "owned" : "copy"}`.padEnd(18)} ${nodes} nodes  median ${median.toFixed(1)} ms  best ${times[0]!.toFixed(1)} ms  ` +
      `${Math.round((nodes / median) * 1000).toLocaleString("en-US")} nodes/s  (${RUNS} runs)`,
  );
}

console.log(`compileWorkflow + getRequirements, node ${process.version}`);
for (const owned of [false, true]) {
  measure("chain", () => chain(N), owned);
  measure("fan-out/in", () => fanOutIn(N), owned);
}
