// Launching a task by itself: like flyteadmin, the task is wrapped in a one-node workflow named
// `.flytegen.<task name>` whose inputs and outputs are the task's, then compiled like any workflow.
import { create, fromBinary } from "@bufbuild/protobuf";
import { admin, core } from "@aloft/idl";
import { InvalidArgumentError } from "../../errors.ts";
import type { AdminContext } from "../../context.ts";
import { compileWorkflowOrThrow } from "../compile.ts";
import { getTaskRow } from "../tasks.ts";
import type { Key } from "../validate.ts";

function nodeIdFor(taskName: string): string {
  const last = taskName.split(".").pop() ?? taskName;
  const id = last.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^-+|-+$/g, "");
  return id === "" ? "n0" : id;
}

export async function singleTaskWorkflow(ctx: AdminContext, task: Key): Promise<{ closure: core.CompiledWorkflowClosure; expected: core.ParameterMap }> {
  const row = await getTaskRow(ctx, task);
  if (!row) throw new InvalidArgumentError(`spec.launch_plan: task ${task.project}/${task.domain}/${task.name}/${task.version} is not registered`);
  const compiled = fromBinary(admin.TaskClosureSchema, row.closure).compiledTask;
  const template = compiled?.template;
  if (!compiled || !template) throw new InvalidArgumentError(`task ${task.name} has no compiled template`);
  const iface = template.interface ?? create(core.TypedInterfaceSchema, {});
  const nodeId = nodeIdFor(task.name);
  const inputs = Object.keys(iface.inputs?.variables ?? {}).map((name) =>
    create(core.BindingSchema, { var: name, binding: { value: { case: "promise", value: { nodeId: "start-node", var: name } } } }),
  );
  const outputs = Object.keys(iface.outputs?.variables ?? {}).map((name) =>
    create(core.BindingSchema, { var: name, binding: { value: { case: "promise", value: { nodeId, var: name } } } }),
  );
  const wf = create(core.WorkflowTemplateSchema, {
    id: { resourceType: core.ResourceType.WORKFLOW, project: task.project, domain: task.domain, name: `.flytegen.${task.name}`, version: task.version },
    interface: iface,
    nodes: [
      {
        id: nodeId,
        metadata: { name: nodeId, retries: template.metadata?.retries, timeout: template.metadata?.timeout },
        inputs,
        target: { case: "taskNode", value: { reference: { case: "referenceId", value: template.id ?? { resourceType: core.ResourceType.TASK, ...task } } } },
      },
    ],
    outputs,
    metadata: {},
    metadataDefaults: {},
  });
  const closure = compileWorkflowOrThrow(wf, [], [compiled], []);
  const parameters: Record<string, core.Parameter> = {};
  for (const [name, v] of Object.entries(iface.inputs?.variables ?? {})) {
    parameters[name] = create(core.ParameterSchema, { var: v, behavior: { case: "required", value: true } });
  }
  return { closure, expected: create(core.ParameterMapSchema, { parameters }) };
}
