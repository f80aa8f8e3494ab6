// The interface of each node of a compiled workflow (a task's, a subworkflow's), so its inputs and outputs can be
// shown by type.
import { core } from "@aloft/idl";

const sameId = (a: core.Identifier | undefined, b: core.Identifier | undefined) =>
  !!a && !!b && a.project === b.project && a.domain === b.domain && a.name === b.name && a.version === b.version && a.resourceType === b.resourceType;

export function nodeInterfaces(closure: core.CompiledWorkflowClosure | undefined): Map<string, core.TypedInterface> {
  const out = new Map<string, core.TypedInterface>();
  const primary = closure?.primary?.template;
  if (!primary) return out;
  if (primary.interface) {
    // start-node carries the workflow's inputs as outputs; end-node takes its outputs as inputs.
    out.set("start-node", { ...primary.interface, inputs: undefined, outputs: primary.interface.inputs } as core.TypedInterface);
    out.set("end-node", primary.interface);
  }
  for (const n of primary.nodes) {
    let iface: core.TypedInterface | undefined;
    if (n.target.case === "taskNode" && n.target.value.reference.case === "referenceId") {
      const ref = n.target.value.reference.value;
      iface = closure.tasks.find((t) => sameId(t.template?.id, ref))?.template?.interface;
    } else if (n.target.case === "workflowNode" && n.target.value.reference.case === "subWorkflowRef") {
      const ref = n.target.value.reference.value;
      iface = closure.subWorkflows.find((w) => sameId(w.template?.id, ref))?.template?.interface;
    } else if (n.target.case === "arrayNode" && n.target.value.node?.target.case === "taskNode") {
      const inner = n.target.value.node.target.value.reference;
      const t = inner.case === "referenceId" ? closure.tasks.find((x) => sameId(x.template?.id, inner.value))?.template?.interface : undefined;
      // A map node takes and gives lists of what its task takes and gives.
      if (t) iface = { ...t, inputs: listOf(t.inputs), outputs: listOf(t.outputs) } as core.TypedInterface;
    }
    if (iface) out.set(n.id, iface);
  }
  return out;
}

function listOf(vars: core.VariableMap | undefined): core.VariableMap | undefined {
  if (!vars) return vars;
  return {
    ...vars,
    variables: Object.fromEntries(
      Object.entries(vars.variables).map(([k, v]) => [k, { ...v, type: v.type && ({ ...v.type, type: { case: "collectionType", value: v.type } } as core.LiteralType) }]),
    ),
  } as core.VariableMap;
}
