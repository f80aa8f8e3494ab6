// Compiling the workflow a dynamic task returns (a core.DynamicJobSpec), as flytepropeller's dynamic node handler
// does (pkg/controller/nodes/dynamic/dynamic_workflow.go): the job's nodes and output bindings become a workflow
// named after the dynamic node, typed by the parent task's outputs; its tasks inherit the parent's container config.
import { clone, create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import type { LaunchPlanInterface } from "./builder.ts";
import { idKey } from "./identifier.ts";
import { getRequirements, type WorkflowRequirements } from "./requirements.ts";
import { guardDepth } from "./guard.ts";
import type { Result } from "./result.ts";
import { compileTask } from "./task.ts";
import { compileWorkflow } from "./workflow.ts";

export interface DynamicJobContext {
  /** The dynamic task that produced the job: its outputs are the workflow's outputs. */
  parentTask: core.TaskTemplate;
  /** Project and domain of the execution the dynamic node runs in. */
  project: string;
  domain: string;
  /** Id of the dynamic node; the workflow is named `dynamic_<nodeId>`. */
  nodeId: string;
  /** Version of the generated workflow id (propeller uses a random 10-character string). */
  version: string;
  /** Interfaces of the launch plans the job calls (see dynamicJobRequirements). */
  launchPlans?: readonly LaunchPlanInterface[];
}

/** The workflow template propeller builds for a dynamic job: the job's nodes and outputs, the parent's outputs. */
export function dynamicWorkflowTemplate(spec: core.DynamicJobSpec, ctx: DynamicJobContext): core.WorkflowTemplate {
  const iface = create(core.TypedInterfaceSchema);
  if (ctx.parentTask.interface?.outputs) iface.outputs = clone(core.VariableMapSchema, ctx.parentTask.interface.outputs);
  return create(core.WorkflowTemplateSchema, {
    id: {
      resourceType: core.ResourceType.WORKFLOW,
      project: ctx.project,
      domain: ctx.domain,
      name: `dynamic_${ctx.nodeId}`,
      version: ctx.version,
    },
    nodes: spec.nodes.map((n) => clone(core.NodeSchema, n)),
    outputs: spec.outputs.map((b) => clone(core.BindingSchema, b)),
    interface: iface,
  });
}

/** The task and launch-plan ids a dynamic job references, so the caller can load launch-plan interfaces first. */
export function dynamicJobRequirements(spec: core.DynamicJobSpec, ctx: DynamicJobContext): Result<WorkflowRequirements> {
  return getRequirements(dynamicWorkflowTemplate(spec, ctx), spec.subworkflows);
}

/**
 * Compiles a dynamic job into a closure ready to execute. Tasks are de-duplicated by id (first wins) and compiled
 * after appending the parent container's config; any task or workflow error is returned as the error list.
 * The spec is not modified.
 */
export function compileDynamicJobSpec(spec: core.DynamicJobSpec, ctx: DynamicJobContext): Result<core.CompiledWorkflowClosure> {
  return guardDepth(() => compileDynamicUnguarded(spec, ctx));
}

function compileDynamicUnguarded(spec: core.DynamicJobSpec, ctx: DynamicJobContext): Result<core.CompiledWorkflowClosure> {
  const template = dynamicWorkflowTemplate(spec, ctx);
  const parentConfig = ctx.parentTask.target.case === "container" ? ctx.parentTask.target.value.config : undefined;

  const compiled: core.CompiledTask[] = [];
  const seen = new Set<string>();
  for (const original of spec.tasks) {
    const key = idKey(original.id);
    if (seen.has(key)) continue;
    const task = clone(core.TaskTemplateSchema, original);
    if (task.target.case === "container" && parentConfig) {
      task.target.value.config.push(...parentConfig.map((kv) => clone(core.KeyValuePairSchema, kv)));
    }
    const r = compileTask(task);
    if (!r.ok) return r;
    compiled.push(r.value);
    seen.add(key);
  }

  const reqs = getRequirements(template, spec.subworkflows);
  if (!reqs.ok) return reqs;
  return compileWorkflow(template, spec.subworkflows, compiled, ctx.launchPlans ?? []);
}
