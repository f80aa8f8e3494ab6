// How many executions of a launch plan may be active at once, and what happens at the limit.
import { admin } from "@aloft/idl";

export const QUEUE_LABEL = "aloft.dev/concurrency-limit-behavior";

export type ConcurrencyBehavior = "allow" | "skip" | "queue";

export function concurrencyOf(spec: admin.LaunchPlanSpec): { max: number; behavior: ConcurrencyBehavior } {
  const p = spec.concurrencyPolicy;
  if (!p || p.max <= 0) return { max: 0, behavior: "allow" };
  if (p.behavior === admin.ConcurrencyLimitBehavior.SKIP) return { max: p.max, behavior: "skip" };
  if (spec.labels?.values[QUEUE_LABEL] === "queue") return { max: p.max, behavior: "queue" };
  // Registration rejects a limit without a behavior; an older row without either is treated as allow.
  return { max: 0, behavior: "allow" };
}
