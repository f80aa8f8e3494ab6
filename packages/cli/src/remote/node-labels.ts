// Names for a remote execution's nodes in progress lines (`n1 extractOrders`, `n0 map[17] scoreReview`), read from
// the workflow the execution runs (its compiled closure on the server), so `run --remote`, `launch --wait` and
// `relaunch --wait` name nodes the same way without the workflow's sources.
import { core } from "@aloft/idl";
import type { admin } from "@aloft/idl";
import type { Remote } from "./connection.ts";

export { mapItemLabel } from "@aloft/sdk";

/** `examples.etl.extractOrders` → `extractOrders`: the name the user exported. */
export const shortName = (name: string) => name.split(".").pop() ?? name;

function label(n: core.Node): string | undefined {
  const t = n.target;
  switch (t.case) {
    case "taskNode":
      return t.value.reference.case === "referenceId" ? shortName(t.value.reference.value.name) : undefined;
    case "arrayNode": {
      // The items run a copy of the mapped task registered as `<task>.map`.
      const inner = t.value.node?.target;
      const task = inner?.case === "taskNode" && inner.value.reference.case === "referenceId" ? shortName(inner.value.reference.value.name.replace(/\.map$/, "")) : undefined;
      return `map${task ? ` ${task}` : ""}`;
    }
    case "workflowNode":
      return t.value.reference.value ? shortName(t.value.reference.value.name) : undefined;
    case "branchNode":
      return "branch";
    case "gateNode":
      return t.value.condition.case ?? "gate";
    default:
      return undefined;
  }
}

/** Labels of the top-level nodes of the workflow `ex` runs; empty if it cannot be read. */
export async function executionNodeLabels(remote: Remote, ex: admin.Execution): Promise<Map<string, string>> {
  const labels = new Map<string, string>();
  const wfId = ex.closure?.workflowId;
  if (!wfId) return labels;
  const wf = await remote.admin.getWorkflow({ id: wfId }).catch(() => undefined);
  for (const n of wf?.closure?.compiledWorkflow?.primary?.template?.nodes ?? []) {
    const l = label(n);
    if (l) labels.set(n.id, l);
  }
  return labels;
}
