import { describe, expect, it } from "vitest";
import { runWorkflow, WorkflowFailedError } from "@aloft/sdk";
import { scoreReviews } from "./fan-out.ts";

describe("fan-out example", () => {
  it("scores every review in parallel and tolerates a bad one", async () => {
    const reviews = ["great product, love it", "arrived late and broken", "fast delivery, would recommend", "   "];
    const { outputs, nodes } = await runWorkflow(scoreReviews, { reviews });
    // scores: 1, -1, 1 → mean 1/3; the blank review failed but 3/4 ≥ 0.75 succeeded.
    expect(outputs).toEqual({ mean: expect.closeTo(1 / 3, 10), scored: 3, failed: 1 });
    expect(nodes.some((n) => n.phase === "FAILED")).toBe(true);
  });

  it("fails the batch when too many reviews fail", async () => {
    await expect(runWorkflow(scoreReviews, { reviews: ["great", "", " "] })).rejects.toBeInstanceOf(WorkflowFailedError);
  });
});
