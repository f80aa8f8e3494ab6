import { describe, expect, it } from "vitest";
import { runWorkflow } from "@aloft/sdk";
import { scoreBatch } from "./subworkflow.ts";

describe("subworkflow example", () => {
  it("normalizes in a sub-workflow and summarizes through a launch plan", async () => {
    const { outputs, nodes } = await runWorkflow(scoreBatch, { values: [50, 250] });
    expect(outputs).toEqual({ normalized: [0.5, 1], summary: "batch mean: 0.750" });
    // The sub-workflow's two tasks (scale, clamp) ran as nodes of this execution, inside node n0.
    const inner = nodes.filter((n) => n.kind === "node" && /\/n0\/workflow\/n\d$/.test(n.key));
    expect(inner.map((n) => n.phase)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
  });
});
