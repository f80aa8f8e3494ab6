// Node interfaces (flytepropeller/pkg/compiler/validators/interface.go): what a node consumes and produces,
// taken from its task, sub-workflow, launch plan, branches, gate or array body.
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { validateBindings } from "./bindings.ts";
import { validateBranchInterface } from "./branch.ts";
import { EdgeDirection, type NodeBuilder, setEntry, type WorkflowBuilder } from "./builder.ts";
import { ErrorCodes as C, type ErrorScope } from "./errors.ts";
import { formatId, idKey } from "./identifier.ts";

function validateVariables(nodeId: string, vars: core.VariableMap, errs: ErrorScope): void {
  for (const [name, v] of Object.entries(vars.variables)) {
    if (name.length === 0) errs.collect(C.ValueRequired, nodeId, "Value required [paramName].");
    if (v.type === undefined) errs.collect(C.ValueRequired, nodeId, "Value required [param.Type].");
  }
}

/** Checks every variable has a name and type, filling in missing input/output maps (in place, as Flyte does). */
export function validateInterface(
  nodeId: string,
  iface: core.TypedInterface | undefined,
  errs: ErrorScope,
): { iface: core.TypedInterface; ok: boolean } {
  const i = iface ?? create(core.TypedInterfaceSchema);
  if (i.inputs) validateVariables(nodeId, i.inputs, errs.scope());
  else i.inputs = create(core.VariableMapSchema);
  if (i.outputs) validateVariables(nodeId, i.outputs, errs.scope());
  else i.outputs = create(core.VariableMapSchema);
  return { iface: i, ok: !errs.hasErrors() };
}

function emptyInterface(): core.TypedInterface {
  return create(core.TypedInterfaceSchema, { inputs: {}, outputs: {} });
}

function launchPlanInterface(w: WorkflowBuilder, n: NodeBuilder, ref: core.Identifier, errs: ErrorScope) {
  const nodeId = n.node.id;
  const lp = w.getLaunchPlan(ref);
  if (lp === undefined) {
    errs.collect(C.WorkflowReferenceNotFound, nodeId, `Referenced Workflow [${formatId(ref)}] not found.`);
    return undefined;
  }
  if (lp.expectedInputs === undefined) errs.collect(C.ValueRequired, nodeId, "Value required [WorkflowNode.ExpectedInputs].");
  if (lp.expectedOutputs === undefined) errs.collect(C.ValueRequired, nodeId, "Value required [WorkflowNode.ExpectedOutputs].");
  // The node sees the launch plan's required inputs plus any defaulted input it chooses to override.
  const bound = new Set(n.node.inputs.map((b) => b.var));
  const inputs = create(core.VariableMapSchema);
  for (const [name, p] of Object.entries(lp.expectedInputs?.parameters ?? {})) {
    const required = p.behavior.case === "required" && p.behavior.value;
    if (required || bound.has(name)) setEntry(inputs.variables, name, p.var ?? create(core.VariableSchema));
  }
  const iface = create(core.TypedInterfaceSchema, { inputs });
  if (lp.expectedOutputs) iface.outputs = lp.expectedOutputs;
  return iface;
}

function workflowNodeInterface(w: WorkflowBuilder, n: NodeBuilder, wn: core.WorkflowNode, errs: ErrorScope) {
  const nodeId = n.node.id;
  const ref = wn.reference;
  const lpRef = ref.case === "launchplanRef" ? ref.value : undefined;
  // A launch plan reference to the workflow being compiled is a recursive call: it has the workflow's interface.
  if (idKey(lpRef) === idKey(w.template.id)) {
    const iface = w.template.interface;
    if (iface === undefined) errs.collect(C.ValueRequired, nodeId, "Value required [WorkflowNode.Interface].");
    return iface;
  }
  if (lpRef) return launchPlanInterface(w, n, lpRef, errs);
  if (ref.case === "subWorkflowRef") {
    const sub = w.getSubWorkflow(ref.value);
    if (sub === undefined) {
      errs.collect(C.WorkflowReferenceNotFound, nodeId, `Referenced Workflow [${formatId(ref.value)}] not found.`);
      return undefined;
    }
    if (sub.template === undefined) {
      errs.collect(C.ValueRequired, nodeId, "Value required [WorkflowNode.Template].");
      return undefined;
    }
    if (sub.template.interface === undefined) {
      errs.collect(C.ValueRequired, nodeId, "Value required [WorkflowNode.Template.Interface].");
    }
    return sub.template.interface;
  }
  errs.collect(C.WorkflowReferenceNotFound, nodeId, "Referenced Workflow [<nil>/<nil>] not found.");
  return undefined;
}

function gateInterface(w: WorkflowBuilder, n: NodeBuilder, gate: core.GateNode, errs: ErrorScope) {
  const nodeId = n.node.id;
  const c = gate.condition;
  if (c.case === "approve") {
    // Approval passes its inputs through unchanged, so outputs equal inputs.
    const { resolved } = validateBindings(w, n, n.node.inputs, create(core.VariableMapSchema), false, EdgeDirection.Upstream, errs.scope());
    return create(core.TypedInterfaceSchema, { inputs: resolved, outputs: resolved });
  }
  if (c.case === "signal") {
    if (c.value.type === undefined) {
      errs.collect(C.ValueRequired, nodeId, "Value required [GateNode.Signal.Type].");
      return undefined;
    }
    if (c.value.outputVariableName.length === 0) {
      errs.collect(C.ValueRequired, nodeId, "Value required [GateNode.Signal.OutputVariableName].");
      return undefined;
    }
    const outputs = create(core.VariableMapSchema);
    setEntry(outputs.variables, c.value.outputVariableName, create(core.VariableSchema, { type: c.value.type }));
    return create(core.TypedInterfaceSchema, { inputs: {}, outputs });
  }
  if (c.case === "sleep") return emptyInterface();
  errs.collect(C.NoConditionFound, nodeId, `Can't find any condition in gate node [${nodeId}].`);
  return undefined;
}

/** Computes (once) and records the interface of node `n`; undefined when it cannot be determined. */
export function validateUnderlyingInterface(
  w: WorkflowBuilder,
  n: NodeBuilder,
  errs: ErrorScope,
): { iface?: core.TypedInterface | undefined; ok: boolean } {
  if (n.iface) return { iface: n.iface, ok: true };
  const nodeId = n.node.id;
  const target = n.node.target;
  let iface: core.TypedInterface | undefined;
  switch (target.case) {
    case "taskNode": {
      const ref = target.value.reference;
      if (ref.case !== "referenceId") {
        errs.collect(C.ValueRequired, nodeId, "Value required [TaskNode.ReferenceId].");
      } else {
        const task = w.getTask(ref.value);
        if (task) iface = task.interface ?? emptyInterface();
        else errs.collect(C.TaskReferenceNotFound, nodeId, `Referenced Task [${formatId(ref.value)}] not found.`);
      }
      break;
    }
    case "workflowNode":
      iface = workflowNodeInterface(w, n, target.value, errs);
      break;
    case "branchNode":
      iface = validateBranchInterface(w, n, errs.scope()).iface;
      break;
    case "gateNode":
      iface = gateInterface(w, n, target.value, errs);
      break;
    case "arrayNode": {
      // The array node presents its body's interface; flytekit already wraps mapped inputs in collections.
      const body = w.builderFor(target.value.node);
      const r = validateUnderlyingInterface(w, body, errs.scope());
      if (r.ok) iface = r.iface;
      break;
    }
    default:
      errs.collect(C.ValueRequired, nodeId, "Value required [Target].");
  }
  if (iface) validateInterface(nodeId, iface, errs.scope());
  if (!errs.hasErrors()) n.iface = iface;
  return { iface, ok: !errs.hasErrors() };
}
