import { describe, expect, it } from "vitest";
import { runWorkflow } from "@aloft/sdk";
import { tune } from "./dynamic.ts";

describe("dynamic example", () => {
  it("builds one training node per grid point at run time and picks the best", async () => {
    const { outputs, nodes } = await runWorkflow(tune, {});
    expect(outputs.tried).toBe(6);
    expect(outputs.best).toMatchObject({ learning_rate: 0.3, epochs: 100 });
    expect(outputs.best.loss).toBeLessThan(0.01);
    // The dynamic node ran as many task nodes as the grid has points.
    expect(nodes.filter((n) => n.kind === "node" && /\/dynamic\/dn\d+$/.test(n.key))).toHaveLength(6);
  });

  it("follows a different grid without redefining anything", async () => {
    const { outputs } = await runWorkflow(tune, { learning_rates: [0.05], epochs: [5, 50, 500] });
    expect(outputs.tried).toBe(3);
    expect(outputs.best.epochs).toBe(500);
  });
});
