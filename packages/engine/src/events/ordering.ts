// How a consumer should apply execution events (what flyteadmin does): a repeated phase is a
// harmless redelivery, a phase that moves backwards or leaves a terminal phase is refused.
import { core } from "@aloft/idl";

export type EventVerdict = "apply" | "duplicate" | "reject";

const P = core.NodeExecution_Phase;
const NODE_RANK: Partial<Record<core.NodeExecution_Phase, number>> = {
  [P.UNDEFINED]: 0,
  [P.QUEUED]: 1,
  [P.RUNNING]: 2,
  [P.DYNAMIC_RUNNING]: 3,
  [P.FAILING]: 4,
  [P.SUCCEEDED]: 5,
  [P.FAILED]: 5,
  [P.ABORTED]: 5,
  [P.SKIPPED]: 5,
  [P.TIMED_OUT]: 5,
  [P.RECOVERED]: 5,
};

export function nodeEventVerdict(current: core.NodeExecution_Phase | undefined, next: core.NodeExecution_Phase): EventVerdict {
  if (current === undefined) return "apply";
  if (current === next) return "duplicate";
  const a = NODE_RANK[current] ?? 0;
  const b = NODE_RANK[next] ?? 0;
  if (a === 5 || b < a) return "reject";
  return "apply";
}

const W = core.WorkflowExecution_Phase;
const WORKFLOW_RANK: Partial<Record<core.WorkflowExecution_Phase, number>> = {
  [W.UNDEFINED]: 0,
  [W.QUEUED]: 1,
  [W.RUNNING]: 2,
  [W.SUCCEEDING]: 3,
  [W.FAILING]: 3,
  [W.ABORTING]: 3,
  [W.SUCCEEDED]: 4,
  [W.FAILED]: 4,
  [W.ABORTED]: 4,
  [W.TIMED_OUT]: 4,
};

export function workflowEventVerdict(current: core.WorkflowExecution_Phase | undefined, next: core.WorkflowExecution_Phase): EventVerdict {
  if (current === undefined) return "apply";
  if (current === next) return "duplicate";
  const a = WORKFLOW_RANK[current] ?? 0;
  const b = WORKFLOW_RANK[next] ?? 0;
  if (a === 4 || b < a) return "reject";
  return "apply";
}
