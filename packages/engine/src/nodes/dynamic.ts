// Dynamic workflows: a task returned a DynamicJobSpec (Flyte's futures.pb). The spec is stored once,
// turned into a workflow scope with its own tasks and sub-workflows, and run as the child action
// "dynamic" of the task node, so a restarted parent finds the sub-nodes it already started.
import { create, toBinary } from "@bufbuild/protobuf";
import { readProto, type BlobStore as StorageBlobStore } from "@aloft/storage";
import { core } from "@aloft/idl";
import { compileDynamicJobSpec, formatCompileErrors } from "@aloft/compiler";
import { InvalidArgumentError } from "../errors.ts";
import { isTerminal, type ActionRecord } from "../model/action.ts";
import type { ActionSpec } from "../runtime/live.ts";
import { Scope, identifierKey } from "../runtime/scope.ts";
import type { ActionContext } from "./handler.ts";

const CHILD = "dynamic";

export async function startDynamic(ctx: ActionContext, task: core.TaskTemplate, spec: core.DynamicJobSpec, uri: string) {
  await ctx.blobs.put(uri, toBinary(core.DynamicJobSpecSchema, spec));
  ctx.action.scratch.dynamicSpec = spec;
  ctx.setState({ ...ctx.action.rec.state, dynamic: { uri } });
  return stepDynamic(ctx, task, uri);
}

async function loadSpec(ctx: ActionContext, uri: string): Promise<core.DynamicJobSpec> {
  const cached = ctx.action.scratch.dynamicSpec as core.DynamicJobSpec | undefined;
  if (cached) return cached;
  const spec = await readProto(ctx.blobs as StorageBlobStore, uri, core.DynamicJobSpecSchema);
  ctx.action.scratch.dynamicSpec = spec;
  return spec;
}

function scopeOf(ctx: ActionContext): Scope {
  const s = ctx.action.spec;
  if (s.kind === "workflow") return s.scope;
  return s.scope;
}

/**
 * The dynamic spec compiled by @aloft/compiler exactly as flytepropeller compiles it (tasks get the
 * parent's container config, connections are derived, types are checked); a spec that does not
 * compile fails the node with the compiler's errors.
 */
export function dynamicWorkflow(ctx: ActionContext, task: core.TaskTemplate, spec: core.DynamicJobSpec): ActionSpec {
  const compiled = compileDynamicJobSpec(spec, {
    parentTask: task,
    project: ctx.execution.id.project,
    domain: ctx.execution.id.domain,
    nodeId: ctx.action.rec.name,
    version: task.id?.version ?? "",
  });
  if (!compiled.ok) {
    throw new InvalidArgumentError(`${ctx.action.key}.dynamic`, `the DynamicJobSpec does not compile: ${formatCompileErrors(compiled.errors)}`);
  }
  const closure = compiled.value;
  if (!closure.primary) throw new InvalidArgumentError(`${ctx.action.key}.dynamic`, "compiled without a primary workflow");
  return { kind: "workflow", workflow: closure.primary, scope: Scope.fromClosure(closure, scopeOf(ctx)) };
}

function dynamicTemplate(task: core.TaskTemplate, spec: core.DynamicJobSpec): core.WorkflowTemplate {
  return create(core.WorkflowTemplateSchema, {
    id: { resourceType: core.ResourceType.WORKFLOW, project: task.id?.project ?? "", domain: task.id?.domain ?? "", name: `${task.id?.name ?? "task"}-dynamic`, version: task.id?.version ?? "" },
    nodes: spec.nodes,
    outputs: spec.outputs,
    ...(task.interface ? { interface: task.interface } : {}),
  });
}

/** The dynamic workflow as flyteadmin returns it in GetNodeExecutionData (flytekit rebuilds the node's
 *  children from its template, sub-workflows and tasks). */
export function dynamicClosure(task: core.TaskTemplate, spec: core.DynamicJobSpec): core.CompiledWorkflowClosure {
  return create(core.CompiledWorkflowClosureSchema, {
    primary: { template: dynamicTemplate(task, spec) },
    subWorkflows: spec.subworkflows.map((template) => ({ template })),
    tasks: spec.tasks.map((template) => ({ template })),
  });
}

export async function stepDynamic(ctx: ActionContext, task: core.TaskTemplate, uri: string): Promise<void> {
  let child = ctx.action.children.get(CHILD);
  if (!child) {
    const spec = await loadSpec(ctx, uri);
    child = ctx.ensureChild(CHILD, "workflow", dynamicWorkflow(ctx, task, spec), { inputs: await ctx.inputs() });
  }
  if (!isTerminal(child.rec.phase)) return;
  if (child.rec.phase === "SUCCEEDED") return ctx.succeed(await ctx.outputsOf(child), child.rec.outputsUri ?? undefined);
  ctx.fail(child.rec.error ?? { kind: "SYSTEM", code: "DynamicWorkflowFailed", message: `dynamic workflow ${child.rec.phase}` }, child.rec.phase === "TIMED_OUT" ? "TIMED_OUT" : "FAILED");
}

export async function dynamicChildSpec(ctx: ActionContext, task: core.TaskTemplate, child: ActionRecord): Promise<ActionSpec> {
  const state = ctx.action.rec.state as { dynamic?: { uri: string } };
  if (child.name !== CHILD || !state.dynamic) throw new InvalidArgumentError(child.key, "is not a known child of this task");
  return dynamicWorkflow(ctx, task, await loadSpec(ctx, state.dynamic.uri));
}

export function dynamicChildInputs(ctx: ActionContext): Promise<core.LiteralMap> {
  return ctx.inputs();
}
