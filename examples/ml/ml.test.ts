import { execFileSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runWorkflow } from "@aloft/sdk";
import { churnCompare, churnModel } from "./ml.ts";

function hasSklearn(): boolean {
  for (const py of ["python3", "/usr/bin/python3"]) {
    try {
      execFileSync(py, ["-c", "import sklearn"], { stdio: "ignore" });
      return true;
    } catch {
      // try the next interpreter
    }
  }
  return false;
}

describe("ML example", () => {
  it("prepares features and trains the TypeScript model to a useful accuracy", async () => {
    const { outputs } = await runWorkflow(churnModel, { customers: 3000, seed: 11 });
    const { metrics, model } = outputs;
    expect(metrics.train_rows + metrics.test_rows).toBe(3000);
    expect(metrics.test_rows).toBeGreaterThan(600);
    // Churn is ~50/50 here, so 0.5 is chance; the generating model is recoverable to AUC ≈ 0.84.
    expect(metrics.auc).toBeGreaterThan(0.78);
    expect(metrics.accuracy).toBeGreaterThan(0.7);
    // The fitted weights have the signs of the generating model: tenure keeps customers, tickets lose them.
    const w = Object.fromEntries(model.features.map((f, i) => [f, model.weights[i]!]));
    expect(w.tenure_months).toBeLessThan(0);
    expect(w.support_tickets).toBeGreaterThan(0);
    expect(w.plan_basic).toBeGreaterThan(w.plan_premium!);
  }, 60_000);

  it("compares with scikit-learn trained in a Python shell task", async (ctx) => {
    if (!hasSklearn()) ctx.skip("scikit-learn is not installed (python3 -c 'import sklearn' fails); apt-get install python3-sklearn");
    const { outputs } = await runWorkflow(churnCompare, { customers: 3000, seed: 11 }, { storeDir: await mkdtemp(join(tmpdir(), "aloft-ml-")) });
    expect(outputs.sklearn_auc).toBeGreaterThan(0.78);
    // Same model family, same data: the two implementations agree closely.
    expect(Math.abs(outputs.sklearn_auc - outputs.typescript.auc)).toBeLessThan(0.02);
    expect(["typescript", "sklearn"]).toContain(outputs.best);
  }, 120_000);
});
