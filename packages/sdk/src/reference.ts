// Reference entities (flytekit's `reference_task`, `reference_workflow`, `reference_launch_plan`): a task, workflow
// or launch plan someone else registered, in any language, named by its full identifier and declared with the
// interface it is known to have. Calling one in a workflow adds a node that points at the registered entity; nothing
// of it is serialized or registered, and the control plane resolves it when the calling workflow is registered.
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { addCall } from "./call.ts";
import { callerFile } from "./defined-in.ts";
import type { CallOptions, OutputDecl } from "./entity.ts";
import { isSchema, normalizeOutputs } from "./entity.ts";
import { DefinitionError, TaskFailure } from "./errors.ts";
import type { LaunchPlanDef } from "./launch-plan.ts";
import { checkOptionKeys } from "./options.ts";
import { typedInterface } from "./serialize/task-parts.ts";
import type { TaskDef } from "./task.ts";
import { checkInputNames } from "./task-entity.ts";
import type { SchemaMap } from "./types/schema.ts";
import type { WorkflowDef } from "./workflow.ts";

export interface ReferenceOptions<I extends SchemaMap, O extends OutputDecl> {
  project: string;
  domain: string;
  name: string;
  version: string;
  /** The registered entity's inputs, as it declares them (`aloft codegen` writes them from the server). */
  inputs?: I;
  /** One schema (named `o0`, as flytekit names a single return) or named schemas. */
  outputs?: O;
}

/** What every reference entity carries: the registered identifier it points at. */
export interface Reference {
  readonly reference: core.Identifier;
}

export type ReferenceTaskDef<I extends SchemaMap, O extends OutputDecl> = TaskDef<I, O> & Reference;
export type ReferenceWorkflowDef<I extends SchemaMap, O extends OutputDecl> = WorkflowDef<I, O> & Reference;
export type ReferenceLaunchPlanDef<I extends SchemaMap, O extends OutputDecl> = LaunchPlanDef<I, O> & Reference;

export function isReference(x: unknown): x is Reference {
  return (typeof x === "function" || typeof x === "object") && x !== null && typeof (x as { reference?: unknown }).reference === "object";
}

/** `project/domain/name/version`, as messages name a registered entity. */
export function showId(id: core.Identifier): string {
  return `${id.project}/${id.domain}/${id.name}/${id.version}`;
}

const KEYS = ["project", "domain", "name", "version", "inputs", "outputs"] as const;
const resourceTypes = { task: core.ResourceType.TASK, workflow: core.ResourceType.WORKFLOW, launchPlan: core.ResourceType.LAUNCH_PLAN };
const kindNames = { task: "reference task", workflow: "reference workflow", launchPlan: "reference launch plan" };

function prepare<I extends SchemaMap, O extends OutputDecl>(kind: keyof typeof resourceTypes, o: ReferenceOptions<I, O>) {
  if (typeof o !== "object" || o === null) throw new DefinitionError(`${kindNames[kind]}: options must be an object`);
  const label = `${kindNames[kind]} "${o.name}"`;
  checkOptionKeys(o, KEYS, label);
  for (const k of ["project", "domain", "name", "version"] as const) {
    if (typeof o[k] !== "string" || o[k] === "") throw new DefinitionError(`${kindNames[kind]}: "${k}" must be a non-empty string`);
  }
  const inputs = (o.inputs ?? {}) as SchemaMap;
  const outputs = normalizeOutputs(o.outputs);
  checkInputNames(inputs, outputs, label);
  const reference = create(core.IdentifierSchema, { resourceType: resourceTypes[kind], project: o.project, domain: o.domain, name: o.name, version: o.version });
  return { label: `${label} (${showId(reference)})`, inputs, outputs, single: isSchema(o.outputs), reference };
}

/** A task registered elsewhere (e.g. a Python flytekit task), called by its identifier with a typed interface. */
export function referenceTask<I extends SchemaMap = {}, O extends OutputDecl = undefined>(options: ReferenceOptions<I, O>): ReferenceTaskDef<I, O> {
  const { label, inputs, outputs, single, reference } = prepare("task", options);
  const definedIn = callerFile();
  const call = (values: Record<string, unknown>, callOptions?: CallOptions) =>
    addCall({ label, target: { kind: "task", task: def }, inputs, outputs, single }, values, callOptions);
  const def = Object.assign(call, {
    entityKind: "task" as const,
    taskType: "reference",
    inputs,
    outputs,
    explicitName: options.name,
    definedIn,
    options: {},
    needsModule: false,
    reference,
    singleOutput: single,
    mode: "function" as const,
    // A local run has no registered task to run: tests mock it (runWorkflow's `mocks`), real runs use --remote.
    fn: () => {
      throw new TaskFailure(`${label} runs only on the server that registered it (aloft run --remote); in a local run, mock it`);
    },
    /** Stands in for the registered template where the SDK compiles locally; never registered. */
    template(): core.TaskTemplate {
      return create(core.TaskTemplateSchema, {
        id: reference,
        type: "reference",
        metadata: create(core.TaskMetadataSchema, { runtime: create(core.RuntimeMetadataSchema, { type: core.RuntimeMetadata_RuntimeType.OTHER }) }),
        interface: typedInterface(inputs, outputs),
      });
    },
  }) as unknown as ReferenceTaskDef<I, O>;
  return def;
}

/** A workflow registered elsewhere, run as a sub-workflow of the calling workflow. */
export function referenceWorkflow<I extends SchemaMap = {}, O extends OutputDecl = undefined>(options: ReferenceOptions<I, O>): ReferenceWorkflowDef<I, O> {
  const { label, inputs, outputs, single, reference } = prepare("workflow", options);
  const definedIn = callerFile();
  const call = (values: Record<string, unknown>, callOptions?: CallOptions) =>
    addCall({ label, target: { kind: "workflow", workflow: def }, inputs, outputs, single }, values, callOptions);
  const def = Object.assign(call, {
    entityKind: "workflow" as const,
    inputs,
    outputs,
    explicitName: options.name,
    definedIn,
    options: {},
    reference,
    singleOutput: single,
    fn: () => {
      throw new DefinitionError(`${label} has no function: it is registered elsewhere`);
    },
    graph: () => {
      throw new DefinitionError(`${label} is registered elsewhere; its graph is not known here`);
    },
  }) as unknown as ReferenceWorkflowDef<I, O>;
  return def;
}

/** A launch plan registered elsewhere, started as a child execution. Inputs it has defaults for may be left out. */
export function referenceLaunchPlan<I extends SchemaMap = {}, O extends OutputDecl = undefined>(
  options: ReferenceOptions<I, O>,
): ReferenceLaunchPlanDef<I, O> {
  const { label, inputs, outputs, single, reference } = prepare("launchPlan", options);
  const definedIn = callerFile();
  // Which inputs the registered launch plan defaults is known to the server; it checks the missing ones.
  const optional = new Set(Object.keys(inputs));
  const call = (values: Record<string, unknown>, callOptions?: CallOptions) =>
    addCall({ label, target: { kind: "launchPlan", launchPlan: def }, inputs, outputs, single, optionalInputs: optional }, values, callOptions);
  const def = Object.assign(call, {
    entityKind: "launchPlan" as const,
    inputs,
    outputs,
    explicitName: options.name,
    definedIn,
    options: {},
    reference,
    singleOutput: single,
  }) as unknown as ReferenceLaunchPlanDef<I, O>;
  return def;
}

