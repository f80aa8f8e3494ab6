// Small constructors for tests: tasks, nodes, bindings and workflows with little ceremony.
import { create } from "@bufbuild/protobuf";
import { core, types } from "@aloft/idl";
import { compileWorkflow, type LaunchPlanInterface, type Result } from "../src/index.ts";

export { types };
type LT = core.LiteralType;

export function taskId(name: string): core.Identifier {
  return create(core.IdentifierSchema, { resourceType: core.ResourceType.TASK, project: "p", domain: "d", name, version: "v" });
}

export function wfId(name: string): core.Identifier {
  return create(core.IdentifierSchema, { resourceType: core.ResourceType.WORKFLOW, project: "p", domain: "d", name, version: "v" });
}

export function lpId(name: string): core.Identifier {
  return create(core.IdentifierSchema, { resourceType: core.ResourceType.LAUNCH_PLAN, project: "p", domain: "d", name, version: "v" });
}

export function vars(m: Record<string, LT>): core.VariableMap {
  const out = create(core.VariableMapSchema);
  for (const [k, t] of Object.entries(m)) out.variables[k] = create(core.VariableSchema, { type: t });
  return out;
}

export function iface(inputs: Record<string, LT>, outputs: Record<string, LT>): core.TypedInterface {
  return create(core.TypedInterfaceSchema, { inputs: vars(inputs), outputs: vars(outputs) });
}

export function taskTemplate(name: string, inputs: Record<string, LT> = {}, outputs: Record<string, LT> = {}): core.TaskTemplate {
  return create(core.TaskTemplateSchema, {
    id: taskId(name),
    type: "python-task",
    interface: iface(inputs, outputs),
    target: { case: "container", value: { image: "img:1", command: ["run"], args: ["--x"] } },
  });
}

export function task(name: string, inputs: Record<string, LT> = {}, outputs: Record<string, LT> = {}): core.CompiledTask {
  return create(core.CompiledTaskSchema, { template: taskTemplate(name, inputs, outputs) });
}

export function promise(nodeId: string, v: string, attrPath: (string | number)[] = []): core.BindingData {
  return create(core.BindingDataSchema, {
    value: {
      case: "promise",
      value: {
        nodeId,
        var: v,
        attrPath: attrPath.map((a) =>
          create(core.PromiseAttributeSchema, {
            value: typeof a === "string" ? { case: "stringValue", value: a } : { case: "intValue", value: a },
          }),
        ),
      },
    },
  });
}

export function int(n: number): core.BindingData {
  return create(core.BindingDataSchema, {
    value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "integer", value: BigInt(n) } } } } },
  });
}

export function str(s: string): core.BindingData {
  return create(core.BindingDataSchema, {
    value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "stringValue", value: s } } } } },
  });
}

export function none(): core.BindingData {
  return create(core.BindingDataSchema, { value: { case: "scalar", value: { value: { case: "noneType", value: {} } } } });
}

export function list(items: core.BindingData[]): core.BindingData {
  return create(core.BindingDataSchema, { value: { case: "collection", value: { bindings: items } } });
}

export function map(items: Record<string, core.BindingData>): core.BindingData {
  return create(core.BindingDataSchema, { value: { case: "map", value: { bindings: items } } });
}

export function bindings(m: Record<string, core.BindingData>): core.Binding[] {
  return Object.entries(m).map(([v, binding]) => create(core.BindingSchema, { var: v, binding }));
}

export function taskNode(id: string, taskName: string, inputs: Record<string, core.BindingData> = {}, upstream: string[] = []): core.Node {
  return create(core.NodeSchema, {
    id,
    inputs: bindings(inputs),
    upstreamNodeIds: upstream,
    target: { case: "taskNode", value: { reference: { case: "referenceId", value: taskId(taskName) } } },
  });
}

export function workflow(
  name: string,
  io: { inputs?: Record<string, LT>; outputs?: Record<string, LT> },
  nodes: core.Node[],
  outputs: Record<string, core.BindingData> = {},
): core.WorkflowTemplate {
  return create(core.WorkflowTemplateSchema, {
    id: wfId(name),
    interface: iface(io.inputs ?? {}, io.outputs ?? {}),
    nodes,
    outputs: bindings(outputs),
  });
}

export function compile(
  wf: core.WorkflowTemplate,
  tasks: core.CompiledTask[],
  subs: core.WorkflowTemplate[] = [],
  lps: LaunchPlanInterface[] = [],
): Result<core.CompiledWorkflowClosure> {
  return compileWorkflow(wf, subs, tasks, lps);
}

/** The error codes of a failed result (empty when it succeeded). */
export function codes<T>(r: Result<T>): string[] {
  return r.ok ? [] : r.errors.map((e) => e.code);
}

/** The messages of a failed result, joined, for substring checks. */
export function messages<T>(r: Result<T>): string {
  return r.ok ? "" : r.errors.map((e) => e.message).join("\n");
}

export function ids(c: core.ConnectionSet | undefined, side: "upstream" | "downstream", node: string): string[] {
  return c?.[side][node]?.ids ?? [];
}
