// The mutable state of one workflow while it compiles: its nodes by id, the edges found so far, and the tasks,
// launch plans and sub-workflows it may reference. Mirrors flytepropeller's workflowBuilder/nodeBuilder.
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { ErrorCodes as C, type ErrorScope } from "./errors.ts";
import { compareCodePoints, idKey } from "./identifier.ts";

export const START_NODE_ID = "start-node";
export const END_NODE_ID = "end-node";

/** Where edges found from a node's bindings go: both maps, or only one side. */
export enum EdgeDirection {
  Bidirectional,
  Downstream,
  Upstream,
}

/** What a launch-plan node needs to know about the launch plan it calls. */
export interface LaunchPlanInterface {
  id: core.Identifier;
  /** The launch plan's inputs; required ones must be bound by the calling node. */
  expectedInputs?: core.ParameterMap | undefined;
  expectedOutputs?: core.VariableMap | undefined;
}

/** A node being compiled, with the facts computed about it. */
export interface NodeBuilder {
  /** The core node; the compiler edits it in place (promise node ids, branch ids, sorted upstream ids). */
  node: core.Node;
  iface?: core.TypedInterface | undefined;
  task?: core.TaskTemplate | undefined;
  subWorkflow?: core.CompiledWorkflow | undefined;
}

/** State shared by a workflow and the sub-workflows compiled on its behalf. */
export interface CompileContext {
  allTasks: Map<string, core.TaskTemplate>;
  allLaunchPlans: Map<string, LaunchPlanInterface>;
  allSubWorkflows: Map<string, core.CompiledWorkflow>;
  /** Sub-workflows whose compilation is under way, to stop a workflow that contains itself. */
  inProgress: Set<string>;
}

/** Looks a variable up by name without reaching into Object.prototype. */
export function getVariable(vars: core.VariableMap | undefined, name: string): core.Variable | undefined {
  if (vars === undefined || !Object.hasOwn(vars.variables, name)) return undefined;
  return vars.variables[name];
}

export class WorkflowBuilder {
  readonly nodes = new Map<string, NodeBuilder>();
  readonly upstream = new Map<string, Set<string>>();
  readonly downstream = new Map<string, Set<string>>();
  tasks = new Map<string, core.TaskTemplate>();
  launchPlans = new Map<string, LaunchPlanInterface>();
  /**
   * Sub-workflows this workflow has compiled. Per workflow, as in Flyte: a sub-workflow reached from two different
   * workflows is compiled (in place) by each of them, which shows in the closure (branch cases renamed twice).
   */
  readonly compiledSubWorkflows = new Map<string, core.CompiledWorkflow>();
  private readonly builders = new Map<core.Node, NodeBuilder>();

  constructor(
    readonly coreWorkflow: core.CompiledWorkflow,
    readonly ctx: CompileContext,
  ) {}

  get template(): core.WorkflowTemplate {
    return this.coreWorkflow.template!;
  }

  /** One builder per node object, so facts computed about a node are found again wherever it is reached from. */
  builderFor(node: core.Node | undefined): NodeBuilder {
    if (node === undefined) return { node: create(core.NodeSchema) };
    let b = this.builders.get(node);
    if (!b) {
      b = { node };
      this.builders.set(node, b);
    }
    return b;
  }

  addNode(b: NodeBuilder, errs: ErrorScope): boolean {
    if (this.nodes.has(b.node.id)) {
      errs.collect(C.DuplicateNodeID, b.node.id, "Trying to insert two nodes with the same id.");
      return false;
    }
    this.nodes.set(b.node.id, b);
    this.template.nodes.push(b.node);
    return true;
  }

  getTask(id: core.Identifier): core.TaskTemplate | undefined {
    return this.tasks.get(idKey(id));
  }

  getLaunchPlan(id: core.Identifier): LaunchPlanInterface | undefined {
    return this.launchPlans.get(idKey(id));
  }

  getSubWorkflow(id: core.Identifier): core.CompiledWorkflow | undefined {
    return this.ctx.allSubWorkflows.get(idKey(id));
  }

  addUpstreamEdge(provider: string, dependent: string): void {
    addTo(this.upstream, dependent, provider || START_NODE_ID);
  }

  addDownstreamEdge(provider: string, dependent: string): void {
    addTo(this.downstream, provider || START_NODE_ID, dependent);
  }

  addExecutionEdge(from: string, to: string): void {
    this.addDownstreamEdge(from, to);
    this.addUpstreamEdge(from, to);
  }

  addEdge(from: string, to: string, dir: EdgeDirection): void {
    if (dir === EdgeDirection.Bidirectional) this.addExecutionEdge(from, to);
    else if (dir === EdgeDirection.Downstream) this.addDownstreamEdge(from, to);
    else this.addUpstreamEdge(from, to);
  }

  /** The edges as FlyteIDL connections, each id list sorted. */
  connections(): core.ConnectionSet {
    const c = create(core.ConnectionSetSchema);
    c.upstream = toIdLists(this.upstream);
    c.downstream = toIdLists(this.downstream);
    return c;
  }
}

function addTo(m: Map<string, Set<string>>, key: string, value: string): void {
  let s = m.get(key);
  if (!s) m.set(key, (s = new Set()));
  s.add(value);
}

function toIdLists(m: Map<string, Set<string>>): { [k: string]: core.ConnectionSet_IdList } {
  // fromEntries defines own properties, so a node named "__proto__" stays an ordinary key. IdList is a proto3
  // message with one repeated field: the literal below is exactly what create() would build, without the
  // reflection cost that dominates 10,000-node workflows.
  return Object.fromEntries(
    [...m].map(([k, s]) => [k, { $typeName: "flyteidl.core.ConnectionSet.IdList", ids: s.size > 1 ? [...s].sort(compareCodePoints) : [...s] }]),
  ) as { [k: string]: core.ConnectionSet_IdList };
}

/** Sets a protobuf map entry; safe for keys such as "__proto__" that come from user input. */
export function setEntry<V>(obj: { [k: string]: V }, key: string, value: V): void {
  // Plain assignment of "__proto__" would replace the prototype instead of adding a key.
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
