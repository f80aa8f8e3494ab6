// ML pipeline: churn prediction. Feature preparation (standardising, one-hot encoding, a seeded train/test split)
// is a TypeScript task writing CSV files; one model is trained in TypeScript (always available), another in
// Python with scikit-learn as a shell task, so the same workflow mixes languages. `churnModel` runs the
// TypeScript path; `churnCompare` trains both and reports which did better on the held-out set.
import { FlyteFile, shellTask, t, task, workflow } from "@aloft/sdk";
import { rng } from "../etl/orders-data.ts";
import { generateCustomers, plans } from "./customers.ts";
import { accuracy, fitLogistic, predict, rocAuc } from "./model.ts";

export const Metrics = t.struct({ accuracy: t.float(), auc: t.float(), train_rows: t.int(), test_rows: t.int() }, { name: "Metrics" });
export const Model = t.struct({ features: t.list(t.string()), weights: t.list(t.float()), bias: t.float() }, { name: "LogisticModel" });

const featureNames = ["tenure_months", "monthly_spend", "support_tickets", ...plans.map((p) => `plan_${p}`)];

function readCsv(text: string): { xs: number[][]; ys: number[] } {
  const rows = text.trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
  return { xs: rows.map((r) => r.slice(0, -1)), ys: rows.map((r) => r[r.length - 1]!) };
}

/** Feature preparation: z-score numeric columns (with training-set statistics), one-hot the plan, split. */
export const prepareFeatures = task(
  { inputs: { customers: t.int(), seed: t.int(), test_fraction: t.float() }, outputs: { train: t.file("csv"), test: t.file("csv"), features: t.list(t.string()) }, cache: { version: "1" } },
  ({ customers, seed, test_fraction }) => {
    if (!(test_fraction > 0 && test_fraction < 1)) throw new RangeError(`test_fraction must be in (0, 1), got ${test_fraction}`);
    const data = generateCustomers(customers, seed);
    const r = rng(seed + 1);
    const isTest = data.map(() => r() < test_fraction);
    const numeric = ["tenure_months", "monthly_spend", "support_tickets"] as const;
    const trainRows = data.filter((_, i) => !isTest[i]);
    const stats = numeric.map((k) => {
      const v = trainRows.map((c) => c[k]);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) || 1;
      return { mean, sd };
    });
    const row = (c: (typeof data)[number]) =>
      [...numeric.map((k, j) => ((c[k] - stats[j]!.mean) / stats[j]!.sd).toFixed(6)), ...plans.map((p) => (c.plan === p ? "1" : "0")), String(c.churned)].join(",");
    const csv = (rows: typeof data) => [[...featureNames, "churned"].join(","), ...rows.map(row)].join("\n") + "\n";
    return {
      train: FlyteFile.fromBytes(csv(trainRows), "train.csv", "csv"),
      test: FlyteFile.fromBytes(csv(data.filter((_, i) => isTest[i])), "test.csv", "csv"),
      features: featureNames,
    };
  },
);

/** Logistic regression in TypeScript, evaluated on the held-out set. */
export const trainTypeScript = task(
  { inputs: { train: t.file("csv"), test: t.file("csv"), features: t.list(t.string()), epochs: t.int() }, outputs: { metrics: Metrics, model: Model } },
  async ({ train, test, features, epochs }) => {
    const tr = readCsv(await train.text());
    const te = readCsv(await test.text());
    const m = fitLogistic(tr.xs, tr.ys, { epochs, learningRate: 0.5, l2: 1e-4 });
    const scores = te.xs.map((x) => predict(m, x));
    return {
      metrics: { accuracy: accuracy(scores, te.ys), auc: rocAuc(scores, te.ys), train_rows: tr.ys.length, test_rows: te.ys.length },
      model: { features, weights: m.weights, bias: m.bias },
    };
  },
);

/** The same model family trained by scikit-learn, in Python. Inputs arrive as files in $1, outputs go to $2. */
export const trainSklearn = shellTask({
  name: "examples.ml.train-sklearn",
  image: "docker.io/library/python:3.11-slim",
  inputs: { train: t.file("csv"), test: t.file("csv") },
  outputs: { accuracy: t.float(), auc: t.float() },
  // The first interpreter that has scikit-learn: the image's python3, else the distribution's (Debian's
  // python3-sklearn installs into /usr/bin/python3 when another python3 comes first on PATH).
  script: `PY=""
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -c "import sklearn" 2>/dev/null; then PY="$candidate"; break; fi
done
[ -n "$PY" ] || { echo "scikit-learn is not installed: python3 -c 'import sklearn' fails" >&2; exit 3; }
"$PY" - "$1" "$2" <<'PY'
import sys
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score

inputs, outputs = sys.argv[1], sys.argv[2]
train = np.loadtxt(f"{inputs}/train", delimiter=",", skiprows=1)
test = np.loadtxt(f"{inputs}/test", delimiter=",", skiprows=1)
model = LogisticRegression(max_iter=1000).fit(train[:, :-1], train[:, -1])
scores = model.predict_proba(test[:, :-1])[:, 1]
with open(f"{outputs}/accuracy", "w") as f:
    f.write(repr(float(accuracy_score(test[:, -1], scores >= 0.5))))
with open(f"{outputs}/auc", "w") as f:
    f.write(repr(float(roc_auc_score(test[:, -1], scores))))
PY`,
});

export const pickModel = task(
  { inputs: { typescript: Metrics, sklearn_auc: t.float() }, outputs: t.enum(["typescript", "sklearn"]) },
  ({ typescript, sklearn_auc }) => (typescript.auc >= sklearn_auc ? "typescript" : "sklearn"),
);

const common = { customers: t.int(), seed: t.int(), test_fraction: t.float() };
const defaults = { customers: 4000, seed: 3, test_fraction: 0.25 };

export const churnModel = workflow(
  { inputs: { ...common, epochs: t.int() }, outputs: { metrics: Metrics, model: Model }, defaults: { ...defaults, epochs: 300 } },
  ({ customers, seed, test_fraction, epochs }) => {
    const f = prepareFeatures({ customers, seed, test_fraction });
    return trainTypeScript({ train: f.train, test: f.test, features: f.features, epochs });
  },
);

export const churnCompare = workflow(
  { inputs: common, outputs: { typescript: Metrics, sklearn_accuracy: t.float(), sklearn_auc: t.float(), best: t.enum(["typescript", "sklearn"]) }, defaults },
  ({ customers, seed, test_fraction }) => {
    const f = prepareFeatures({ customers, seed, test_fraction });
    const ts = trainTypeScript({ train: f.train, test: f.test, features: f.features, epochs: 300 });
    const py = trainSklearn({ train: f.train, test: f.test });
    return { typescript: ts.metrics, sklearn_accuracy: py.accuracy, sklearn_auc: py.auc, best: pickModel({ typescript: ts.metrics, sklearn_auc: py.auc }) };
  },
);
