// Hand-built FlyteIDL for engine tests: tasks, nodes and compiled closures with connections, in
// the shape Flyte's compiler produces, without depending on the compiler.
import { create } from "@bufbuild/protobuf";
import { core, lit, types } from "@aloft/idl";

export const PROJECT = "proj";
export const DOMAIN = "dev";

export function taskId(name: string, version = "v1"): core.Identifier {
  return create(core.IdentifierSchema, { resourceType: core.ResourceType.TASK, project: PROJECT, domain: DOMAIN, name, version });
}

export function variables(vars: Record<string, core.LiteralType>): core.VariableMap {
  return create(core.VariableMapSchema, {
    variables: Object.fromEntries(Object.entries(vars).map(([k, t]) => [k, create(core.VariableSchema, { type: t, description: k })])),
  });
}

export interface TaskOptions {
  version?: string;
  type?: string;
  retries?: number;
  discoverable?: boolean;
  discoveryVersion?: string;
  cacheSerializable?: boolean;
  cacheIgnoreInputVars?: string[];
  timeoutMs?: number;
  args?: string[];
}

export function task(name: string, inputs: Record<string, core.LiteralType>, outputs: Record<string, core.LiteralType>, o: TaskOptions = {}): core.TaskTemplate {
  return create(core.TaskTemplateSchema, {
    id: taskId(name, o.version),
    type: o.type ?? "python-task",
    metadata: {
      retries: { retries: o.retries ?? 0 },
      discoverable: o.discoverable ?? false,
      discoveryVersion: o.discoveryVersion ?? "",
      cacheSerializable: o.cacheSerializable ?? false,
      cacheIgnoreInputVars: o.cacheIgnoreInputVars ?? [],
      ...(o.timeoutMs ? { timeout: { seconds: BigInt(Math.floor(o.timeoutMs / 1000)), nanos: (o.timeoutMs % 1000) * 1e6 } } : {}),
    },
    interface: { inputs: variables(inputs), outputs: variables(outputs) },
    target: { case: "container", value: { image: "test", args: o.args ?? ["run", name] } },
  });
}

export function promise(nodeId: string, v: string, attrPath: Array<string | number> = []): core.BindingData {
  return create(core.BindingDataSchema, {
    value: {
      case: "promise",
      value: {
        nodeId,
        var: v,
        attrPath: attrPath.map((a) =>
          create(core.PromiseAttributeSchema, typeof a === "number" ? { value: { case: "intValue", value: a } } : { value: { case: "stringValue", value: a } }),
        ),
      },
    },
  });
}

export function scalarBinding(l: core.Literal): core.BindingData {
  if (l.value.case !== "scalar") throw new Error("scalar literal expected");
  return create(core.BindingDataSchema, { value: { case: "scalar", value: l.value.value } });
}

export function bindings(b: Record<string, core.BindingData>): core.Binding[] {
  return Object.entries(b).map(([v, binding]) => create(core.BindingSchema, { var: v, binding }));
}

export function taskNode(id: string, t: core.TaskTemplate, inputs: Record<string, core.BindingData>): core.Node {
  return create(core.NodeSchema, {
    id,
    metadata: { name: id },
    inputs: bindings(inputs),
    target: { case: "taskNode", value: { reference: { case: "referenceId", value: t.id! } } },
  });
}

export interface WorkflowSpec {
  name: string;
  inputs?: Record<string, core.LiteralType>;
  outputs?: Record<string, core.LiteralType>;
  nodes: core.Node[];
  outputBindings?: Record<string, core.BindingData>;
  failureNode?: core.Node;
  failAfterExecutable?: boolean;
}

export function workflowTemplate(w: WorkflowSpec): core.CompiledWorkflow {
  const template = create(core.WorkflowTemplateSchema, {
    id: { resourceType: core.ResourceType.WORKFLOW, project: PROJECT, domain: DOMAIN, name: w.name, version: "v1" },
    metadata: {
      onFailure: w.failAfterExecutable
        ? core.WorkflowMetadata_OnFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE
        : core.WorkflowMetadata_OnFailurePolicy.FAIL_IMMEDIATELY,
    },
    interface: { inputs: variables(w.inputs ?? {}), outputs: variables(w.outputs ?? {}) },
    nodes: w.nodes,
    outputs: bindings(w.outputBindings ?? {}),
    ...(w.failureNode ? { failureNode: w.failureNode } : {}),
  });
  return create(core.CompiledWorkflowSchema, { template, connections: { upstream: {}, downstream: {} } });
}

export function closure(primary: WorkflowSpec, tasks: core.TaskTemplate[], subWorkflows: WorkflowSpec[] = []): core.CompiledWorkflowClosure {
  return create(core.CompiledWorkflowClosureSchema, {
    primary: workflowTemplate(primary),
    subWorkflows: subWorkflows.map(workflowTemplate),
    tasks: tasks.map((t) => create(core.CompiledTaskSchema, { template: t })),
  });
}

export function executionId(name: string): core.WorkflowExecutionIdentifier {
  return create(core.WorkflowExecutionIdentifierSchema, { project: PROJECT, domain: DOMAIN, name });
}

export { lit, types };
