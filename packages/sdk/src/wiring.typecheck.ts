// Compile-time tests of promise wiring, checked by the root `tsc` (never run). Each `@ts-expect-error` must
// suppress a real error: if a mis-wiring ever type-checks, tsc fails on the unused directive.
import { FlyteFile, map, t, task, when, workflow, type Ref } from "./index.ts";

const count = task({ inputs: { text: t.string() }, outputs: t.int() }, ({ text }) => text.length);
const shout = task({ inputs: { text: t.string(), times: t.optional(t.int()) }, outputs: { loud: t.string(), n: t.int() } }, ({ text, times }) => ({
  loud: text.toUpperCase().repeat(times ?? 1),
  n: text.length,
}));
const sum = task({ inputs: { xs: t.list(t.int()) }, outputs: t.int() }, ({ xs }) => xs.reduce((a, b) => a + b, 0));
const readFile = task({ inputs: { f: t.file("csv") }, outputs: t.string() }, async ({ f }) => f.text());

export const typed = workflow({ inputs: { s: t.string(), n: t.int() }, outputs: { a: t.int(), b: t.string() } }, ({ s, n }) => {
  const c: Ref<number> = count({ text: s });
  // @ts-expect-error an integer promise does not fit a string input
  count({ text: c });
  // @ts-expect-error a workflow input of type int does not fit a string input
  count({ text: n });
  // @ts-expect-error a number constant does not fit a string input
  count({ text: 3 });
  // @ts-expect-error a required input is missing
  count({});
  // @ts-expect-error inputs are checked by name
  count({ txt: s });
  // Optional inputs may be left out, and a plain int fits an optional int.
  const loud = shout({ text: s });
  shout({ text: s, times: n });
  // @ts-expect-error named outputs are typed: `loud` is a string, not an int
  sum({ xs: [loud.loud] });
  // Lists may mix constants and promises.
  const total = sum({ xs: [c, 1, loud.n] });
  // @ts-expect-error a FlyteFile input does not take a string
  readFile({ f: s });
  readFile({ f: FlyteFile.fromPath("/tmp/x.csv") });
  // Mapping lifts inputs and outputs to lists.
  const lengths: Ref<number[]> = map(count)({ text: ["a", s] });
  // @ts-expect-error a mapped string input takes a list of strings
  map(count)({ text: s });
  const picked = when(total.gt(3))
    .then(() => count({ text: s }))
    .else(() => sum({ xs: lengths }));
  // @ts-expect-error comparisons are typed too
  total.gt("3");
  return { a: picked, b: loud.loud };
});

export const wrongOutputs = workflow(
  { inputs: { s: t.string() }, outputs: { a: t.int(), b: t.string() } },
  // @ts-expect-error outputs are typed: `b` is declared a string but gets an int promise
  ({ s }) => ({ a: count({ text: s }), b: count({ text: s }) }),
);

export const wrongReturn = workflow(
  { outputs: t.string() },
  // @ts-expect-error the workflow declares a string output
  () => count({ text: "x" }),
);

// Task functions get typed inputs and must return their declared outputs.
export const badTask = task({ inputs: { x: t.int() }, outputs: t.string() }, ({ x }) =>
  // @ts-expect-error returns a number where a string is declared
  x + 1,
);
export const structTask = task({ inputs: { p: t.struct({ name: t.string(), tags: t.list(t.string()) }) }, outputs: t.int() }, ({ p }) => {
  const name: string = p.name;
  // @ts-expect-error struct fields are typed
  const bad: number = p.tags;
  return name.length + bad;
});

const Point = t.struct({ x: t.float(), label: t.string() });
const makePoint = task({ outputs: Point }, () => ({ x: 1, label: "a" }));
export const attributes = workflow({ outputs: t.int() }, () => {
  const p = makePoint({});
  // Field access is typed: `label` is a string promise.
  count({ text: p.get("label") });
  // @ts-expect-error `x` is a float, not a string
  count({ text: p.get("x") });
  // @ts-expect-error the struct has no field `y`
  p.get("y");
  const xs = map(count)({ text: ["a", "b"] });
  // @ts-expect-error list items of an int list are ints
  count({ text: xs.at(0) });
  return xs.at(1);
});

// Exact number types: Flyte integers and floats do not mix in wiring (Flyte's compiler refuses it too), while task
// bodies do ordinary arithmetic on both.
const half = task({ inputs: { n: t.int() }, outputs: t.float() }, ({ n }) => n / 2);
const repeat = task({ inputs: { times: t.int(), ratio: t.float() }, outputs: t.int() }, ({ times, ratio }) => Math.round(times * ratio) + times);
const meanOf = task({ inputs: { xs: t.list(t.float()) }, outputs: t.float() }, ({ xs }) => xs.reduce((a, b) => a + b, 0) / xs.length);
const big = task({ inputs: { id: t.int64() }, outputs: t.int64() }, ({ id }) => id * 2n);
export const numbers = workflow({ inputs: { n: t.int(), r: t.float() }, outputs: t.int() }, ({ n, r }) => {
  const h = half({ n });
  // @ts-expect-error a float promise does not fit an int input
  half({ n: h });
  // @ts-expect-error a float workflow input does not fit an int input
  half({ n: r });
  // @ts-expect-error an int promise does not fit a float input
  repeat({ times: n, ratio: n });
  // Constants are plain numbers: they fit either (a non-integer into an int is refused when bound, at run time).
  repeat({ times: 3, ratio: 0.5 });
  const k = repeat({ times: n, ratio: h });
  // @ts-expect-error a list of ints does not fit a list of floats
  meanOf({ xs: map(repeat, { bound: ["ratio"] })({ times: [n, k], ratio: r }) });
  meanOf({ xs: [h, r, 2] });
  // @ts-expect-error an int64 (bigint) input takes a bigint, not a number promise
  big({ id: n });
  big({ id: 9007199254740993n });
  // Comparisons take constants of either kind.
  return when(h.gt(3)).then(() => k).else(() => repeat({ times: 1, ratio: r }));
});
