// Dynamic workflow: hyper-parameter search whose shape depends on its inputs. The dynamic task sees the real
// grid at run time and adds one training node per combination; the parent workflow then picks the best.
import { dynamic, t, task, workflow } from "@aloft/sdk";

export const Trial = t.struct({ learning_rate: t.float(), epochs: t.int(), loss: t.float() }, { name: "Trial" });

/** Gradient descent on y = 3x + 2 with fixed data; returns the final mean squared error. */
export const train = task({ inputs: { learning_rate: t.float(), epochs: t.int() }, outputs: Trial, cache: { version: "1" } }, ({ learning_rate, epochs }) => {
  const xs = Array.from({ length: 20 }, (_, i) => i / 10);
  const ys = xs.map((x) => 3 * x + 2);
  let w = 0;
  let b = 0;
  const mse = () => xs.reduce((s, x, i) => s + (w * x + b - ys[i]!) ** 2, 0) / xs.length;
  for (let e = 0; e < epochs; e++) {
    let gw = 0;
    let gb = 0;
    xs.forEach((x, i) => {
      const err = w * x + b - ys[i]!;
      gw += (2 * err * x) / xs.length;
      gb += (2 * err) / xs.length;
    });
    w -= learning_rate * gw;
    b -= learning_rate * gb;
  }
  return { learning_rate, epochs, loss: mse() };
});

/** One training node per (learning rate, epochs) pair: the graph is built from the input values. */
export const gridSearch = dynamic(
  { inputs: { learning_rates: t.list(t.float()), epochs: t.list(t.int()) }, outputs: t.list(Trial) },
  ({ learning_rates, epochs }) => learning_rates.flatMap((learning_rate) => epochs.map((e) => train({ learning_rate, epochs: e }))),
);

export const pickBest = task({ inputs: { trials: t.list(Trial) }, outputs: { best: Trial, tried: t.int() } }, ({ trials }) => ({
  best: [...trials].sort((a, b) => a.loss - b.loss)[0]!,
  tried: trials.length,
}));

export const tune = workflow(
  { inputs: { learning_rates: t.list(t.float()), epochs: t.list(t.int()) }, outputs: { best: Trial, tried: t.int() }, defaults: { learning_rates: [0.01, 0.1, 0.3], epochs: [10, 100] } },
  ({ learning_rates, epochs }) => pickBest({ trials: gridSearch({ learning_rates, epochs }) }),
);
