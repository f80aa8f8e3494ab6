// Entities used by the serializer tests: one of each node kind.
import { approve, containerTask, dynamic, fail, launchPlan, map, shellTask, sleep, t, task, waitForInput, when, workflow } from "../../index.ts";

export const square = task({ inputs: { n: t.int() }, outputs: t.int(), cache: { version: "1", ignoredInputs: [] }, retries: 2 }, ({ n }) => n * n);
export const double = task({ inputs: { n: t.int() }, outputs: t.int() }, ({ n }) => 2 * n);
export const total = task({ inputs: { xs: t.list(t.int()), label: t.optional(t.string()) }, outputs: { sum: t.int(), label: t.string() } }, ({ xs, label }) => ({
  sum: xs.reduce((a, b) => a + b, 0),
  label: label ?? "total",
}));
export const scale = task({ inputs: { n: t.int(), by: t.int() }, outputs: t.int() }, ({ n, by }) => n * by);
export const notify = task({ inputs: { k: t.int() } }, () => {});

export const inner = workflow({ inputs: { x: t.int() }, outputs: t.int() }, ({ x }) => double({ n: x }));

export const pipeline = workflow(
  { inputs: { xs: t.list(t.int()), k: t.int() }, outputs: { sum: t.int(), picked: t.int(), scaled: t.list(t.int()) }, defaults: { k: 3 }, onFailure: notify, failurePolicy: "afterRunnable" },
  ({ xs, k }) => {
    const squares = map(square, { concurrency: 4, minSuccessRatio: 0.5 })({ n: xs });
    const scaled = map(scale, { bound: ["by"] })({ n: xs, by: k });
    const s = total({ xs: squares });
    const picked = when(s.sum.gt(10))
      .then(() => double({ n: s.sum }, { retries: 1, name: "double-it", resources: { requests: { cpu: "500m", memory: "1Gi" } } }))
      .elseIf(s.sum.eq(0), () => inner({ x: k }))
      .else(() => square({ n: s.sum }));
    const doubled = inner({ x: picked });
    sleep(10, { after: [doubled] });
    return { sum: s.sum, picked: doubled, scaled };
  },
);

export const failing = workflow({ inputs: { x: t.int() }, outputs: t.int() }, ({ x }) =>
  when(x.lt(0)).then(() => double({ n: x })).else(() => fail("x must be negative")),
);

export const gated = workflow({ inputs: { x: t.int() }, outputs: { approved: t.int(), note: t.string() } }, ({ x }) => {
  const d = double({ n: x });
  return { approved: approve(d, "ok-double"), note: waitForInput("note", t.string()) };
});

export const nightly = launchPlan({ name: "nightly", workflow: pipeline, fixed: { k: 5 }, schedule: { cron: "0 3 * * *" }, labels: { team: "data" } });

export const parent = workflow({ inputs: { xs: t.list(t.int()) }, outputs: t.int() }, ({ xs }) => nightly({ xs }).sum);

export const fanOut = dynamic({ inputs: { n: t.int() }, outputs: t.list(t.int()) }, ({ n }) => {
  const out = [];
  for (let i = 0; i < n; i++) out.push(square({ n: i }));
  return out;
});

export const ellipse = containerTask({
  name: "ellipse-area",
  image: "ghcr.io/flyteorg/rawcontainers-shell:v1",
  command: ["./calculate-ellipse-area.sh", "/var/inputs", "/var/outputs"],
  inputs: { a: t.float(), b: t.float() },
  outputs: { area: t.float(), metadata: t.string() },
});

export const wordCount = shellTask({
  name: "word-count",
  inputs: { text: t.string() },
  outputs: t.int(),
  script: 'printf %s "{{.inputs.text}}" | wc -w | tr -d " " > "$2/o0"',
});

export const polyglot = workflow({ inputs: { a: t.float() }, outputs: { area: t.float(), words: t.int() } }, ({ a }) => {
  const e = ellipse({ a, b: 2 });
  return { area: e.area, words: wordCount({ text: e.metadata }) };
});
