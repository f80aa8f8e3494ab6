// The registered file of the code-bundle tests: a dynamic task calling a task of another module (also re-exported
// here under another name), and one calling a task that no module exports.
import { dynamic, t, task, workflow } from "@aloft/sdk";
import { inc } from "./steps.ts";

export { whereAmI } from "./steps.ts";

export { inc as plusOne } from "./steps.ts";

export const negate = task({ inputs: { x: t.int() }, outputs: t.int() }, ({ x }) => -x);

export const fan = dynamic({ inputs: { n: t.int() }, outputs: t.list(t.int()) }, ({ n }) => Array.from({ length: n }, (_, i) => inc({ x: i })));

const hidden = task({ inputs: { x: t.int() }, outputs: t.int(), name: "hidden" }, ({ x }) => x);
export const callsHidden = dynamic({ inputs: { x: t.int() }, outputs: t.int() }, ({ x }) => hidden({ x }));

export const fanOut = workflow({ inputs: { n: t.int() }, outputs: { xs: t.list(t.int()) } }, ({ n }) => ({ xs: fan({ n }) }));
