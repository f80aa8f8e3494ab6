import { describe, expect, it } from "vitest";
import { runWorkflow } from "@aloft/sdk";
import { routeApplication } from "./conditional.ts";

describe("conditional example", () => {
  it("approves a strong application", async () => {
    const { outputs } = await runWorkflow(routeApplication, { income: 90_000, debt: 9_000 });
    // score 850 − 0.1·400 = 810 → approved with half the income as limit.
    expect(outputs).toEqual({ outcome: "approved", limit: 45_000, reason: "score 810 ≥ 700" });
  });

  it("sends a middling one to review and declines a weak one", async () => {
    expect((await runWorkflow(routeApplication, { income: 50_000, debt: 25_000, missed_payments: 1 })).outputs.outcome).toBe("review");
    expect((await runWorkflow(routeApplication, { income: 20_000, debt: 30_000, missed_payments: 2 })).outputs).toMatchObject({ outcome: "declined" });
  });

  it("fails with the reason when no score can be computed", async () => {
    await expect(runWorkflow(routeApplication, { income: 0, debt: 100 })).rejects.toThrow(/no credit score: income must be positive/);
  });
});
