// A workflow is registered with the templates of the sub-workflows it runs (WorkflowSpec.sub_workflows), as
// flytekit sends them: flyteadmin compiles a workflow from its spec alone and never looks sub-workflows up.
import type { core } from "@aloft/idl";

const key = (id: core.Identifier | undefined) => `${id?.project}/${id?.domain}/${id?.name}/${id?.version}`;

/** Every sub-workflow `wf` runs, directly or through other sub-workflows, from `known` (keyed by workflow name). */
export function subWorkflowsOf(wf: core.WorkflowTemplate, known: Iterable<core.WorkflowTemplate>): core.WorkflowTemplate[] {
  const byKey = new Map([...known].map((w) => [key(w.id), w]));
  const found = new Map<string, core.WorkflowTemplate>();
  const visitWorkflow = (w: core.WorkflowTemplate) => {
    for (const n of w.nodes) visitNode(n);
    if (w.failureNode) visitNode(w.failureNode);
  };
  const visitNode = (n: core.Node | undefined): void => {
    const t = n?.target;
    if (!t) return;
    if (t.case === "workflowNode" && t.value.reference.case === "subWorkflowRef") {
      const k = key(t.value.reference.value);
      const sub = byKey.get(k);
      if (sub && !found.has(k) && k !== key(wf.id)) {
        found.set(k, sub);
        visitWorkflow(sub);
      }
    } else if (t.case === "branchNode") {
      const ifElse = t.value.ifElse;
      visitNode(ifElse?.case?.thenNode);
      for (const other of ifElse?.other ?? []) visitNode(other.thenNode);
      if (ifElse?.default.case === "elseNode") visitNode(ifElse.default.value);
    } else if (t.case === "arrayNode") visitNode(t.value.node);
  };
  visitWorkflow(wf);
  return [...found.values()];
}
