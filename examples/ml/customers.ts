// A synthetic customer base for churn prediction. Churn follows a known logistic model of the features (plus
// noise), so a good classifier must recover it: long tenure and low ticket counts keep customers, price-sensitive
// basic-plan customers with many support tickets leave.
import { rng } from "../etl/orders-data.ts";

export const plans = ["basic", "standard", "premium"] as const;

export interface Customer {
  tenure_months: number;
  monthly_spend: number;
  support_tickets: number;
  plan: (typeof plans)[number];
  churned: 0 | 1;
}

/** Box–Muller normal sample from a uniform source. */
function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

export function generateCustomers(n: number, seed: number): Customer[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const plan = plans[Math.floor(r() * plans.length)]!;
    const tenure = Math.max(1, Math.round(r() * 72));
    const spend = Math.round((plan === "basic" ? 20 : plan === "standard" ? 45 : 80) + normal(r) * 8);
    const tickets = Math.floor(-Math.log(1 - r()) * 2);
    const logit = 1.2 - 0.06 * tenure + 0.55 * tickets + (plan === "basic" ? 0.8 : plan === "premium" ? -0.6 : 0) + normal(r) * 0.3;
    const churned = r() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    return { tenure_months: tenure, monthly_spend: spend, support_tickets: tickets, plan, churned };
  });
}
