// A hyperparameter search in the Flyte 2 style: the search is an ordinary async function. Each `await train(...)`
// is a durable child action (cached, retried and recorded on its own); `Promise.all` fans out; a trial that runs
// out of memory is caught and tried again with more memory and a smaller batch.
//
//   npx aloft run --nodes examples/flyte2/hpo.ts search --rates '[0.001,0.01,0.1]' --batch 256
import { flyte, RecoverableError, t, TaskEnvironment, ActionFailedError } from "@aloft/sdk";

export const env = new TaskEnvironment({
  name: "hpo",
  resources: { requests: { cpu: 1, memory: "1Gi" } },
  retries: 1,
  cache: { version: "1" },
});

/** The data set: y = 3x + noise, made from a seed (a traced step: re-runs of the search read it back). */
const makeData = flyte.trace(async function makeData(n: number, seed: number) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
  return Array.from({ length: n }, (_, i) => {
    const x = i / n;
    return { x, y: 3 * x + 0.1 * rand() };
  });
});

class OutOfMemory extends Error {
  override name = "OutOfMemory";
}

export const train = env.task(
  {
    name: "train",
    inputs: { xs: t.list(t.float()), ys: t.list(t.float()), rate: t.float(), batch: t.int(), epochs: t.int() },
    outputs: { weight: t.float(), loss: t.float() },
  },
  async ({ xs, ys, rate, batch, epochs }) => {
    // Stands in for a model whose activations outgrow the pod: big batches do not fit.
    if (batch > 128) throw new OutOfMemory(`batch ${batch} does not fit in memory`);
    let w = 0;
    for (let e = 0; e < epochs; e++) {
      for (let i = 0; i < xs.length; i += batch) {
        let grad = 0;
        const end = Math.min(xs.length, i + batch);
        for (let j = i; j < end; j++) grad += 2 * (w * xs[j]! - ys[j]!) * xs[j]!;
        w -= (rate * grad) / (end - i);
      }
    }
    const loss = xs.reduce((acc, x, j) => acc + (w * x - ys[j]!) ** 2, 0) / xs.length;
    if (!Number.isFinite(loss)) throw new RecoverableError(`rate ${rate} diverged`, "Diverged");
    return { weight: w, loss };
  },
);

/** One trial: train, and if it runs out of memory, train again with more memory and half the batch. */
async function trial(xs: number[], ys: number[], rate: number, batch: number, epochs: number) {
  try {
    return { rate, batch, ...(await train({ xs, ys, rate, batch, epochs })) };
  } catch (e) {
    if (!(e instanceof ActionFailedError) || e.errorCode !== "OutOfMemory") throw e;
    const bigger = train.override({ resources: { requests: { memory: "4Gi" }, limits: { memory: "4Gi" } } });
    const half = Math.max(1, Math.floor(batch / 2));
    return { rate, batch: half, ...(await bigger({ xs, ys, rate, batch: half, epochs })) };
  }
}

export const search = env.task(
  {
    name: "search",
    inputs: { rates: t.list(t.float()), batch: t.int(), epochs: t.int(), samples: t.int() },
    outputs: { rate: t.float(), batch: t.int(), weight: t.float(), loss: t.float(), trials: t.int() },
    cache: false,
  },
  async ({ rates, batch, epochs, samples }) => {
    const data = await makeData(samples, 7);
    const xs = data.map((d) => d.x);
    const ys = data.map((d) => d.y);
    const results = await flyte.group("trials", () => Promise.all(rates.map((rate) => trial(xs, ys, rate, batch, epochs))));
    const best = results.reduce((a, b) => (b.loss < a.loss ? b : a));
    return { ...best, trials: results.length };
  },
);
