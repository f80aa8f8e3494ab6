// A workflow whose inputs are a list, a struct, a map and a file, entered in the console's launch form by the e2e test;
// a negative weight fails its task with a user error.
import { t, task, workflow } from "@aloft/sdk";

const settings = t.struct({ label: t.string(), scale: t.float() });

export const summarize = task(
  { name: "consoleflow.summarize", inputs: { numbers: t.list(t.int()), settings, weights: t.map(t.float()), data: t.file() }, outputs: { total: t.float(), report: t.string() } },
  async ({ numbers, settings, weights, data }) => {
    const lines = (await data.text()).split("\n").filter(Boolean).length;
    const bad = Object.entries(weights).find(([, w]) => w < 0);
    if (bad) throw new Error(`weight ${bad[0]} is negative`);
    const total = numbers.reduce((a, b) => a + b, 0) * settings.scale + Object.values(weights).reduce((a, b) => a + b, 0);
    return { total, report: `${settings.label}: ${numbers.length} numbers, ${lines} lines` };
  },
);

export const double = task({ name: "consoleflow.double", inputs: { x: t.float() }, outputs: t.float() }, ({ x }) => x * 2);

export const consoleFlow = workflow(
  { name: "consoleflow.summary", inputs: { numbers: t.list(t.int()), settings, weights: t.map(t.float()), data: t.file() }, outputs: { doubled: t.float(), report: t.string() } },
  ({ numbers, settings, weights, data }) => {
    const s = summarize({ numbers, settings, weights, data });
    return { doubled: double({ x: s.total }), report: s.report };
  },
);
