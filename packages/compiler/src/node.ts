// Per-node validation (flytepropeller/pkg/compiler/validators/node.go) and edge discovery for a node.
import { core } from "@aloft/idl";
import { validateBindings } from "./bindings.ts";
import { validateBranchNode } from "./branch.ts";
import { EdgeDirection, END_NODE_ID, type NodeBuilder, START_NODE_ID, type WorkflowBuilder } from "./builder.ts";
import { ErrorCodes as C, type ErrorScope } from "./errors.ts";
import { compareCodePoints, formatId, idKey } from "./identifier.ts";
import { validateUnderlyingInterface } from "./interface.ts";
import { validateEffectiveOutputs } from "./outputs.ts";
import { validateWorkflow } from "./workflow.ts";

function validateSubWorkflowNode(w: WorkflowBuilder, n: NodeBuilder, ref: core.Identifier, errs: ErrorScope): void {
  const key = idKey(ref);
  if (w.compiledSubWorkflows.has(key)) return;
  const sub = w.getSubWorkflow(ref);
  if (sub === undefined) {
    errs.collect(C.WorkflowReferenceNotFound, n.node.id, `Referenced Workflow [${formatId(ref)}] not found.`);
    return;
  }
  if (n.subWorkflow) return;
  if (w.ctx.inProgress.has(key)) {
    // Flyte would recurse forever here; a workflow cannot contain itself.
    errs.collect(C.CycleDetected, n.node.id, `Sub-workflow [${formatId(ref)}] references itself.`);
    return;
  }
  w.ctx.inProgress.add(key);
  const r = validateWorkflow(w.ctx, sub, errs.scope());
  w.ctx.inProgress.delete(key);
  if (r.ok && r.workflow) {
    n.subWorkflow = r.workflow.coreWorkflow;
    w.compiledSubWorkflows.set(key, r.workflow.coreWorkflow);
  }
}

/** Validates node `n`: id, interface, output aliases, and what its kind requires (branches, sub-workflows, tasks). */
export function validateNode(w: WorkflowBuilder, n: NodeBuilder, validateConditionTypes: boolean, errs: ErrorScope): boolean {
  const node = n.node;
  if (node.id === "") errs.collect(C.ValueRequired, "<node>", "Value required [Id].");
  if (node.id === START_NODE_ID || node.id === END_NODE_ID) return true;

  if (validateUnderlyingInterface(w, n, errs.scope()).ok) validateEffectiveOutputs(n, errs.scope());
  // Sorted so the compiled output does not depend on the order the client listed them in.
  node.upstreamNodeIds.sort(compareCodePoints);

  const t = node.target;
  if (t.case === "branchNode") {
    validateBranchNode(w, n, t.value, validateConditionTypes, errs.scope());
  } else if (t.case === "workflowNode" && t.value.reference.case === "subWorkflowRef") {
    validateSubWorkflowNode(w, n, t.value.reference.value, errs.scope());
  } else if (t.case === "taskNode" && t.value.reference.case === "referenceId") {
    const ref = t.value.reference.value;
    const task = w.getTask(ref);
    if (task) n.task = task;
    else errs.collect(C.TaskReferenceNotFound, node.id, `Referenced Task [${formatId(ref)}] not found.`);
  }
  return !errs.hasErrors();
}

/** Adds the edges of node `n`: its explicit upstream ids (unless only upstream edges are wanted) and its bindings. */
export function addEdges(w: WorkflowBuilder, n: NodeBuilder, dir: EdgeDirection, errs: ErrorScope): boolean {
  // A node whose interface could not be computed has already been reported.
  if (n.iface === undefined) return false;
  if (dir !== EdgeDirection.Upstream) {
    for (const up of n.node.upstreamNodeIds) w.addExecutionEdge(up, n.node.id);
  }
  return validateBindings(w, n, n.node.inputs, n.iface.inputs, true, dir, errs.scope()).ok;
}
