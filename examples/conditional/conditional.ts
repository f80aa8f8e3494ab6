// Conditional: route a loan application by its credit score. High scores are approved automatically, middling
// ones go to manual review, and applications without a score fail the workflow with a clear reason.
import { fail, t, task, when, workflow } from "@aloft/sdk";

export const Decision = t.struct({ outcome: t.enum(["approved", "review", "declined"]), limit: t.float(), reason: t.string() }, { name: "Decision" });

export const creditScore = task(
  { inputs: { income: t.float(), debt: t.float(), missed_payments: t.int() }, outputs: t.int() },
  ({ income, debt, missed_payments }) => {
    if (income <= 0) return -1;
    const ratio = debt / income;
    return Math.max(300, Math.min(850, Math.round(850 - ratio * 400 - missed_payments * 60)));
  },
);

export const autoApprove = task({ inputs: { score: t.int(), income: t.float() }, outputs: Decision }, ({ score, income }) => ({
  outcome: "approved" as const,
  limit: Math.round(income * (score >= 780 ? 0.5 : 0.3)),
  reason: `score ${score} ≥ 700`,
}));

export const manualReview = task({ inputs: { score: t.int() }, outputs: Decision }, ({ score }) => ({
  outcome: score < 500 ? ("declined" as const) : ("review" as const),
  limit: 0,
  reason: score < 500 ? `score ${score} < 500` : `score ${score} needs an underwriter`,
}));

export const routeApplication = workflow(
  { inputs: { income: t.float(), debt: t.float(), missed_payments: t.int() }, outputs: Decision, defaults: { missed_payments: 0 } },
  ({ income, debt, missed_payments }) => {
    const score = creditScore({ income, debt, missed_payments });
    return when(score.gte(700))
      .then(() => autoApprove({ score, income }))
      .elseIf(score.gte(0), () => manualReview({ score }))
      .else(() => fail("no credit score: income must be positive"));
  },
);
