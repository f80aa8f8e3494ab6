// A workflow calling entities registered elsewhere (a Python task, a workflow, a launch plan) by reference.
import { referenceLaunchPlan, referenceTask, referenceWorkflow } from "../../reference.ts";
import { task } from "../../task.ts";
import { t } from "../../types/t.ts";
import { workflow } from "../../workflow.ts";

export const pyAdd = referenceTask({
  project: "flytesnacks", domain: "development", name: "tasks.add", version: "py1",
  inputs: { a: t.int(), b: t.int() },
  outputs: t.int(),
});
export const pyWf = referenceWorkflow({
  project: "flytesnacks", domain: "development", name: "tasks.wf", version: "py1",
  inputs: { x: t.int() },
  outputs: { o0: t.string() },
});
export const pyLp = referenceLaunchPlan({
  project: "other", domain: "staging", name: "tasks.lp", version: "py2",
  inputs: { x: t.int(), label: t.string() },
  outputs: t.int(),
});

export const double = task({ inputs: { n: t.int() }, outputs: t.int() }, ({ n }) => n * 2);

export const callsTask = workflow({ inputs: { a: t.int() }, outputs: t.int() }, ({ a }) => double({ n: pyAdd({ a, b: 1 }) }));
export const callsLaunchPlan = workflow({ inputs: { a: t.int() }, outputs: t.int() }, ({ a }) => pyLp({ x: pyAdd({ a, b: 2 }) }));
export const callsWorkflow = workflow({ inputs: { a: t.int() }, outputs: t.string() }, ({ a }) => pyWf({ x: a }).o0);
