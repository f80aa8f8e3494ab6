// Turns tasks, workflows and launch plans into FlyteIDL, collecting everything they reference, and validates each
// workflow with @aloft/compiler so nothing the SDK produces can be rejected later.
import { clone, create, equals } from "@bufbuild/protobuf";
import { admin, core, types } from "@aloft/idl";
import { compileTask, compileWorkflow, type LaunchPlanInterface } from "@aloft/compiler";
import { SerializationError } from "../errors.ts";
import type { Entity, EntityKind } from "../entity.ts";
import type { Graph } from "../graph.ts";
import type { LaunchPlanDef } from "../launch-plan.ts";
import type { TaskEntity } from "../task-entity.ts";
import type { BlobIO } from "../types/blob-io.ts";
import type { Schema, TransformContext } from "../types/schema.ts";
import type { WorkflowDef } from "../workflow.ts";
import { isReference, showId, type Reference } from "../reference.ts";
import { IdentityResolver } from "./identity.ts";
import { launchPlanMessage, parameterMap } from "./launch-plan-spec.ts";
import { bindings, toCoreNode, type NodeRefs } from "./node.ts";
import { typedInterface } from "./task-parts.ts";

export interface SerializeSettings {
  project: string;
  domain: string;
  version: string;
  /** Project root that module paths are relative to (default: the working directory). */
  root?: string;
  /** Image for tasks that name none. */
  image?: string;
  /** Local runs may use entities that are not exported, if they have an explicit name. */
  allowUnexported?: boolean;
  /** URI of the code bundle (fast registration) TypeScript tasks load their module from. */
  codeBundle?: string;
}

/** Constants never upload: a file constant must already have a URI (checked when it was bound). */
const constantsIO: BlobIO = {
  read: (uri) => Promise.reject(new SerializationError(`constants are not read (${uri})`)),
  write: (uri) => Promise.reject(new SerializationError(`a local file cannot be a constant in a workflow (${uri})`)),
  list: (uri) => Promise.reject(new SerializationError(`constants are not listed (${uri})`)),
};
const constantsCtx: TransformContext = { blobs: constantsIO, rawOutputPrefix: "constants://", scratchDir: "" };

export const DEFAULT_IMAGE = "ghcr.io/aloft/aloft:latest";

export class Serializer implements NodeRefs {
  readonly tasks = new Map<string, core.TaskTemplate>();
  readonly workflows = new Map<string, core.WorkflowTemplate>();
  readonly launchPlans = new Map<string, admin.LaunchPlan>();
  /** Which entity each task name came from: the local runner executes them in-process by this map. */
  readonly taskEntities = new Map<string, TaskEntity>();
  readonly #owners = new Map<string, Entity>();
  readonly #ids: IdentityResolver;
  #handedOver = false;
  readonly #taskRefs = new Map<TaskEntity, { id: core.Identifier; shortName: string }>();
  /**
   * Entities registered elsewhere that the serialized workflows call, keyed by `kind:project/domain/name/version`,
   * with the interface declared for them: registration checks it against the registered one. Never registered.
   */
  readonly references = new Map<string, { kind: EntityKind; id: core.Identifier; interface: core.TypedInterface; label: string }>();
  /** Stand-in templates of reference tasks, for compiling locally (never registered). */
  readonly #referenceTemplates = new Map<string, core.TaskTemplate>();
  readonly #referenceLaunchPlans = new Map<string, LaunchPlanInterface>();

  constructor(readonly settings: SerializeSettings) {
    this.#ids = new IdentityResolver(settings.root ?? process.cwd(), settings.allowUnexported ?? false);
  }

  #id(resourceType: core.ResourceType, name: string): core.Identifier {
    const { project, domain, version } = this.settings;
    return create(core.IdentifierSchema, { resourceType, project, domain, name, version });
  }

  /** Claims a name for an entity; two different entities may not share one. */
  #claim(kind: string, name: string, entity: Entity): boolean {
    const key = `${kind}:${name}`;
    const owner = this.#owners.get(key);
    if (owner === entity) return false;
    if (owner) throw new SerializationError(`two different ${kind}s are named "${name}" (${owner.definedIn} and ${entity.definedIn})`);
    this.#owners.set(key, entity);
    return true;
  }

  constant(value: unknown, schema: Schema<unknown>, path: string): Promise<core.Literal> {
    return schema.toLiteral(value, constantsCtx, path);
  }

  #reference(kind: EntityKind, entity: Entity & Reference): { id: core.Identifier; shortName: string } {
    const id = entity.reference;
    const key = `${kind}:${showId(id)}`;
    const known = this.references.get(key);
    const iface = typedInterface(entity.inputs, entity.outputs);
    if (known && !equalInterfaces(known.interface, iface)) {
      throw new SerializationError(`${known.label} is declared twice with different interfaces`);
    }
    this.references.set(key, { kind, id, interface: iface, label: `${kind === "launchPlan" ? "launch plan" : kind} ${showId(id)}` });
    return { id, shortName: id.name.split(".").pop() ?? id.name };
  }

  async task(task: TaskEntity): Promise<{ id: core.Identifier; shortName: string }> {
    // Every node calling a task refers to it by the same identifier message (read-only downstream).
    const known = this.#taskRefs.get(task);
    if (known) return known;
    if (isReference(task)) {
      const ref = this.#reference("task", task as TaskEntity & Reference);
      const template = task.template({ id: ref.id, modulePath: "", exportName: "", defaultImage: "" });
      this.#referenceTemplates.set(showId(ref.id), template);
      // Local runs find the entity by task name (to run a mock in its place).
      this.taskEntities.set(ref.id.name, task);
      this.#taskRefs.set(task, ref);
      return ref;
    }
    const ident = await this.#ids.identify(task, `task ${task.explicitName ?? ""}`.trim());
    const id = this.#id(core.ResourceType.TASK, ident.name);
    if (this.#claim("task", ident.name, task)) {
      if (task.needsModule && ident.exportName === undefined && !this.settings.allowUnexported) {
        throw new SerializationError(`task "${ident.name}" must be exported from ${ident.modulePath}`);
      }
      const template = task.template({
        id,
        modulePath: ident.modulePath,
        exportName: ident.exportName ?? ident.name,
        defaultImage: this.settings.image ?? DEFAULT_IMAGE,
        codeBundle: this.settings.codeBundle,
      });
      this.#check(compileTask(template), `task "${ident.name}"`);
      this.tasks.set(ident.name, template);
      this.taskEntities.set(ident.name, task);
    }
    const ref = { id, shortName: ident.exportName ?? ident.name };
    this.#taskRefs.set(task, ref);
    return ref;
  }

  /** The template an array node runs: the task with list-typed inputs (except bound ones) and outputs. */
  async mappedTask(task: TaskEntity, bound: string[]): Promise<{ id: core.Identifier; shortName: string }> {
    if (isReference(task)) throw new SerializationError(`map over a reference task (${showId(task.reference)}) is not supported: wrap it in a workflow`);
    const { id: baseId, shortName } = await this.task(task);
    const name = `${baseId.name}.map${bound.length ? `_bound_${[...bound].sort().join("_")}` : ""}`;
    const id = this.#id(core.ResourceType.TASK, name);
    if (!this.tasks.has(name)) {
      const template = clone(core.TaskTemplateSchema, this.tasks.get(baseId.name)!);
      template.id = id;
      const iface = typedInterface(task.inputs, task.outputs);
      for (const [k, v] of Object.entries(iface.inputs!.variables)) if (!bound.includes(k)) v.type = types.list(v.type!);
      for (const v of Object.values(iface.outputs!.variables)) v.type = types.list(v.type!);
      template.interface = iface;
      this.#check(compileTask(template), `mapped task "${name}"`);
      this.tasks.set(name, template);
      this.taskEntities.set(name, task);
    }
    return { id, shortName };
  }

  async workflow(wf: WorkflowDef<any, any>): Promise<{ id: core.Identifier; shortName: string }> {
    if (isReference(wf)) return this.#reference("workflow", wf as WorkflowDef<any, any> & Reference);
    const ident = await this.#ids.identify(wf, `workflow ${wf.explicitName ?? ""}`.trim());
    const id = this.#id(core.ResourceType.WORKFLOW, ident.name);
    if (this.#claim("workflow", ident.name, wf)) {
      this.workflows.set(ident.name, await this.#workflowTemplate(id, wf, wf.graph()));
    }
    return { id, shortName: ident.exportName ?? ident.name };
  }

  async #workflowTemplate(id: core.Identifier, wf: WorkflowDef<any, any>, graph: Graph): Promise<core.WorkflowTemplate> {
    const nodes: core.Node[] = [];
    for (const n of graph.nodes) nodes.push(await toCoreNode(n, this));
    const o = wf.options;
    return create(core.WorkflowTemplateSchema, {
      id,
      metadata: create(core.WorkflowMetadataSchema, {
        onFailure:
          o.failurePolicy === "afterRunnable"
            ? core.WorkflowMetadata_OnFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE
            : core.WorkflowMetadata_OnFailurePolicy.FAIL_IMMEDIATELY,
      }),
      interface: typedInterface(wf.inputs, wf.outputs),
      nodes,
      outputs: await bindings(graph.outputs, this),
      ...(graph.failureNode ? { failureNode: await toCoreNode(graph.failureNode, this) } : {}),
      metadataDefaults: create(core.WorkflowMetadataDefaultsSchema, { interruptible: o.interruptible ?? false }),
    });
  }

  async launchPlan(lp: LaunchPlanDef<any, any>): Promise<{ id: core.Identifier; shortName: string }> {
    if (isReference(lp)) {
      const ref = this.#reference("launchPlan", lp as LaunchPlanDef<any, any> & Reference);
      const iface = typedInterface(lp.inputs, lp.outputs);
      const parameters = Object.fromEntries(Object.entries(iface.inputs?.variables ?? {}).map(([k, v]) => [k, create(core.ParameterSchema, { var: v })]));
      this.#referenceLaunchPlans.set(showId(ref.id), { id: ref.id, expectedInputs: create(core.ParameterMapSchema, { parameters }), expectedOutputs: iface.outputs });
      return ref;
    }
    const ident = await this.#ids.identify(lp, `launch plan ${lp.explicitName ?? ""}`.trim());
    const id = this.#id(core.ResourceType.LAUNCH_PLAN, ident.name);
    if (this.#claim("launch plan", ident.name, lp)) {
      const { id: workflowId } = await this.workflow(lp.workflow);
      const o = lp.options;
      const message = await launchPlanMessage(
        {
          id, workflowId, inputs: lp.inputs, outputs: lp.outputs,
          defaults: { ...(lp.workflow.options.defaults ?? {}), ...(o.defaults ?? {}) },
          fixed: o.fixed ?? {}, schedule: o.schedule, labels: o.labels, annotations: o.annotations, maxParallelism: o.maxParallelism,
        },
        (v, s, p) => this.constant(v, s, p),
      );
      this.launchPlans.set(ident.name, message);
    }
    return { id, shortName: ident.exportName ?? ident.name };
  }

  /** The default launch plan Flyte creates for every workflow: same name, the workflow's defaults. */
  async defaultLaunchPlan(wf: WorkflowDef<any, any>): Promise<admin.LaunchPlan> {
    const { id: workflowId } = await this.workflow(wf);
    const id = this.#id(core.ResourceType.LAUNCH_PLAN, workflowId.name);
    const existing = this.launchPlans.get(workflowId.name);
    if (existing) return existing;
    const message = await launchPlanMessage(
      { id, workflowId, inputs: wf.inputs, outputs: wf.outputs, defaults: { ...(wf.options.defaults ?? {}) }, fixed: {} },
      (v, s, p) => this.constant(v, s, p),
    );
    this.launchPlans.set(workflowId.name, message);
    return message;
  }

  /** Workflow inputs as Flyte parameters (defaults filled in). */
  parameters(wf: WorkflowDef<any, any>): Promise<core.ParameterMap> {
    return parameterMap(wf.inputs, { ...(wf.options.defaults ?? {}) }, (v, s, p) => this.constant(v, s, p), "workflow");
  }

  /**
   * Compiles a serialized workflow with everything it references; throws with every compiler error. With
   * `handOver` the serialized workflows are compiled in place and shared by the closure (no deep copy): for a
   * serializer that serves one local run: it compiles nothing afterwards (recompiling compiled templates would
   * rename branch nodes again).
   */
  compile(workflowName: string, options: { handOver?: boolean } = {}): core.CompiledWorkflowClosure {
    if (this.#handedOver) throw new SerializationError(`this serializer's workflows were handed over to a compiled closure; it cannot compile "${workflowName}"`);
    const primary = this.workflows.get(workflowName);
    if (!primary) throw new SerializationError(`workflow "${workflowName}" has not been serialized`);
    const refWorkflow = [...this.references.values()].find((r) => r.kind === "workflow");
    if (refWorkflow) throw new SerializationError(`workflow "${workflowName}" calls reference ${refWorkflow.label}, whose graph only its server knows: run it with --remote`);
    const compiledTasks = [...this.tasks.values(), ...this.#referenceTemplates.values()].map((t) => this.#check(compileTask(t), `task "${t.id?.name}"`));
    const subs = [...this.workflows.values()].filter((w) => w !== primary);
    const lps: LaunchPlanInterface[] = [...this.launchPlans.values()].map((lp) => ({
      id: lp.id!,
      expectedInputs: lp.closure?.expectedInputs,
      expectedOutputs: lp.closure?.expectedOutputs,
    }));
    lps.push(...this.#referenceLaunchPlans.values());
    // compileTask already returned copies of the tasks, so they are handed over too.
    const takeOwnership = options.handOver === true;
    this.#handedOver = takeOwnership;
    return this.#check(compileWorkflow(primary, subs, compiledTasks, lps, { takeOwnership }), `workflow "${workflowName}"`);
  }

  #check<T>(r: { ok: true; value: T } | { ok: false; errors: Error[] }, what: string): T {
    if (r.ok) return r.value;
    throw new SerializationError(`${what} does not compile:\n${r.errors.map((e) => `  - ${e.message}`).join("\n")}`);
  }

  /** The WorkflowClosure (template + its tasks) Flyte's register calls take. */
  closure(workflowName: string): core.WorkflowClosure {
    const workflow = this.workflows.get(workflowName);
    if (!workflow) throw new SerializationError(`workflow "${workflowName}" has not been serialized`);
    return create(core.WorkflowClosureSchema, { workflow, tasks: [...this.tasks.values()] });
  }
}

function equalInterfaces(a: core.TypedInterface, b: core.TypedInterface): boolean {
  return equals(core.TypedInterfaceSchema, a, b);
}
