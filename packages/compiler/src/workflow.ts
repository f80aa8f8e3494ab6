// Workflow compilation (flytepropeller/pkg/compiler/workflow_compiler.go): builds the graph of a workflow
// template, resolves and type-checks every binding, adds start/end nodes and implicit edges, checks the graph is
// acyclic and fully reachable, and returns the compiled closure.
import { clone, create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { validateBindings } from "./bindings.ts";
import {
  type CompileContext,
  EdgeDirection,
  END_NODE_ID,
  type LaunchPlanInterface,
  START_NODE_ID,
  WorkflowBuilder,
} from "./builder.ts";
import { ErrorCodes as C, ErrorScope } from "./errors.ts";
import { compareCodePoints, formatId, idKey } from "./identifier.ts";
import { validateInterface } from "./interface.ts";
import { addEdges, validateNode } from "./node.ts";
import { indexSubWorkflows, RequirementsCollector } from "./requirements.ts";
import { guardDepth } from "./guard.ts";
import { failed, ok, type Result } from "./result.ts";

function newBuilder(ctx: CompileContext, fg: core.CompiledWorkflow): WorkflowBuilder {
  const w = new WorkflowBuilder(fg, ctx);
  // Only the tasks and launch plans this workflow itself references are visible to its nodes.
  const reqs = new RequirementsCollector(new Map(), false, ErrorScope.root());
  reqs.addWorkflow(fg.template!);
  for (const id of reqs.result().taskIds) {
    const t = ctx.allTasks.get(idKey(id));
    if (t) w.tasks.set(idKey(id), t);
  }
  for (const id of reqs.result().launchPlanIds) {
    const lp = ctx.allLaunchPlans.get(idKey(id));
    if (lp) w.launchPlans.set(idKey(id), lp);
  }
  return w;
}

const NO_IDS: Iterator<string> = [][Symbol.iterator]();

/** Depth-first search from the start node; returns a cycle if there is one, else the set of reachable nodes. */
function traverse(w: WorkflowBuilder): { cycle?: string[]; visited: Set<string> } {
  const visited = new Set<string>();
  const onPath = new Set<string>();
  // An explicit stack: a 10,000-node chain is deeper than the call stack should go.
  const stack: { id: string; next: Iterator<string> }[] = [];
  const enter = (id: string) => {
    visited.add(id);
    onPath.add(id);
    const down = w.downstream.get(id);
    // Sorted only when there is a choice; a single successor (a chain) is iterated as it is.
    const next = down === undefined ? NO_IDS : down.size > 1 ? [...down].sort(compareCodePoints).values() : down.values();
    stack.push({ id, next });
  };
  enter(START_NODE_ID);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const step = top.next.next();
    if (step.done) {
      onPath.delete(top.id);
      stack.pop();
      continue;
    }
    const next = step.value;
    if (onPath.has(next)) {
      const from = stack.findIndex((f) => f.id === next);
      return { cycle: [...stack.slice(from).map((f) => f.id), next], visited };
    }
    if (!visited.has(next)) enter(next);
  }
  return { visited };
}

function validateReachable(w: WorkflowBuilder, errs: ErrorScope): void {
  const { cycle, visited } = traverse(w);
  if (cycle) {
    errs.collect(C.CycleDetected, START_NODE_ID, `A cycle has been detected while traversing the Workflow [${cycle.join(">")}].`);
    return;
  }
  const unreachable = [...w.nodes.keys()].filter((id) => !visited.has(id) && id !== END_NODE_ID).sort(compareCodePoints);
  if (unreachable.length > 0) {
    errs.collect(C.UnreachableNodes, START_NODE_ID, `The Workflow contain unreachable nodes [${unreachable.join(",")}].`);
  }
}

/**
 * The start or end node of an earlier compilation: a workflow compiled again (a sub-workflow reached from two
 * workflows, or a compiled template given back) lists them among its nodes. Flyte passes over them, as it passes
 * over every repeated id; other repeated ids are reported here (see README, deliberate differences).
 */
function isCompiledSentinel(n: core.Node): boolean {
  return (n.id === START_NODE_ID || n.id === END_NODE_ID) && n.target.case === undefined;
}

/**
 * Compiles `fg` in place (its template's nodes are replaced by the validated ones, its connections set) and
 * returns its builder. Used for the primary workflow and for each referenced sub-workflow.
 */
export function validateWorkflow(
  ctx: CompileContext,
  fg: core.CompiledWorkflow,
  errs: ErrorScope,
): { workflow?: WorkflowBuilder; ok: boolean } {
  const template = fg.template;
  if (template === undefined || template.nodes.length === 0) {
    const id = formatId(template?.id);
    errs.collect(C.NoNodesFound, id, `Can't find any nodes in workflow [${id}].`);
    return { ok: false };
  }
  const w = newBuilder(ctx, fg);
  const checked = validateInterface(START_NODE_ID, template.interface, errs.scope());
  template.interface = checked.iface;
  if (!checked.ok) return { ok: false };
  const iface = checked.iface;

  const declared = template.nodes;
  template.nodes = [];
  fg.connections = create(core.ConnectionSetSchema);

  // Sentinel nodes: the start node produces the workflow inputs, the end node consumes its outputs.
  const start = w.builderFor(create(core.NodeSchema, { id: START_NODE_ID }));
  w.addNode(start, errs);
  start.iface = create(core.TypedInterfaceSchema, { outputs: iface.inputs });
  const endNode = create(core.NodeSchema, { id: END_NODE_ID });
  endNode.inputs = template.outputs;
  const end = w.builderFor(endNode);
  w.addNode(end, errs);
  end.iface = create(core.TypedInterfaceSchema, { inputs: iface.outputs });

  // Nodes directly in the workflow (not inside branches) must all finish before the end node.
  const topLevel = new Set<string>();
  for (const n of declared) {
    if (isCompiledSentinel(n)) continue;
    topLevel.add(n.id);
    const b = w.builderFor(n);
    if (w.addNode(b, errs.scope())) validateNode(w, b, false, errs.scope());
  }

  const sortedIds = [...w.nodes.keys()].sort(compareCodePoints);
  for (const id of sortedIds) {
    if (id !== START_NODE_ID) addEdges(w, w.nodes.get(id)!, EdgeDirection.Bidirectional, errs.scope());
  }

  if (template.failureNode) {
    const failure = w.builderFor(template.failureNode);
    validateNode(w, failure, false, errs.scope());
    addEdges(w, failure, EdgeDirection.Upstream, errs.scope());
  }

  // Nodes without inputs from other nodes start right away; nodes nobody consumes still gate the end node.
  for (const id of sortedIds) {
    if (id === START_NODE_ID || id === END_NODE_ID || !topLevel.has(id)) continue;
    if (!w.upstream.has(id)) w.addExecutionEdge(START_NODE_ID, id);
    if (!w.downstream.has(id)) w.addExecutionEdge(id, END_NODE_ID);
  }

  const endIface = validateInterface(END_NODE_ID, end.iface, errs.scope());
  if (endIface.ok) {
    validateBindings(w, end, endNode.inputs, endIface.iface.inputs, true, EdgeDirection.Bidirectional, errs.scope());
  }

  validateReachable(w, errs.scope());
  fg.connections = w.connections();
  return { workflow: w, ok: !errs.hasErrors() };
}

export interface CompileWorkflowOptions {
  /**
   * The caller hands the template, sub-workflows and tasks over: they are compiled in place and become part of the
   * closure instead of being cloned first (a deep clone is most of the cost of compiling a large workflow). The
   * caller must not use them afterwards. Default false: inputs are never modified.
   */
  takeOwnership?: boolean;
}

/**
 * Compiles `template` with the compiled tasks, sub-workflows and launch-plan interfaces it references (see
 * getRequirements). Inputs are not modified (unless `takeOwnership`). On success the closure holds the compiled
 * primary workflow, every given task (first of each id) and every given sub-workflow (compiled when referenced).
 */
export function compileWorkflow(
  template: core.WorkflowTemplate,
  subWorkflows: readonly core.WorkflowTemplate[],
  compiledTasks: readonly core.CompiledTask[],
  launchPlans: readonly LaunchPlanInterface[] = [],
  options: CompileWorkflowOptions = {},
): Result<core.CompiledWorkflowClosure> {
  return guardDepth(() => compileWorkflowUnguarded(template, subWorkflows, compiledTasks, launchPlans, options.takeOwnership === true));
}

function compileWorkflowUnguarded(
  template: core.WorkflowTemplate,
  subWorkflows: readonly core.WorkflowTemplate[],
  compiledTasks: readonly core.CompiledTask[],
  launchPlans: readonly LaunchPlanInterface[],
  owned: boolean,
): Result<core.CompiledWorkflowClosure> {
  const errs = ErrorScope.root();
  if (template === undefined || template === null) {
    errs.collect(C.ValueRequired, "root", "Value required [wf].");
    return failed(errs.list());
  }
  if (!Array.isArray(compiledTasks)) {
    errs.collect(C.ValueRequired, "root", "Value required [tasks].");
    return failed(errs.list());
  }
  const primary = owned ? template : clone(core.WorkflowTemplateSchema, template);

  const tasks: core.TaskTemplate[] = [];
  const allTasks = new Map<string, core.TaskTemplate>();
  for (const t of compiledTasks) {
    if (t?.template?.id === undefined) {
      errs.collect(C.ValueRequired, "task", "Value required [Template.Id].");
      return failed(errs.list());
    }
    const key = idKey(t.template.id);
    if (allTasks.has(key)) continue;
    const copy = owned ? t.template : clone(core.TaskTemplateSchema, t.template);
    allTasks.set(key, copy);
    tasks.push(copy);
  }

  const subCopies = (subWorkflows ?? []).map((s) => (s && !owned ? clone(core.WorkflowTemplateSchema, s) : s));
  const subIndex = indexSubWorkflows(subCopies, errs.scope());
  if (subIndex === undefined) return failed(errs.list());
  const compiledSubs = subCopies.map((s) => create(core.CompiledWorkflowSchema, { template: s }));
  const allSubWorkflows = new Map(compiledSubs.map((c) => [idKey(c.template!.id), c] as const));

  const allLaunchPlans = new Map<string, LaunchPlanInterface>();
  for (const lp of launchPlans ?? []) if (lp?.id) allLaunchPlans.set(idKey(lp.id), lp);

  // Every referenced task, launch plan and sub-workflow must be present before anything else is checked.
  const reqErrs = errs.scope();
  const reqs = new RequirementsCollector(subIndex, true, reqErrs);
  reqs.addWorkflow(primary);
  for (const id of reqs.result().launchPlanIds) {
    if (!allLaunchPlans.has(idKey(id))) {
      reqErrs.collect(C.WorkflowReferenceNotFound, START_NODE_ID, `Referenced Workflow [${formatId(id)}] not found.`);
    }
  }
  for (const id of reqs.result().taskIds) {
    if (!allTasks.has(idKey(id))) {
      reqErrs.collect(C.TaskReferenceNotFound, START_NODE_ID, `Referenced Task [${formatId(id)}] not found.`);
    }
  }
  if (reqErrs.hasErrors()) return failed(errs.list());

  const ctx: CompileContext = {
    allTasks,
    allLaunchPlans,
    allSubWorkflows,
    inProgress: new Set(),
  };
  const compiled = create(core.CompiledWorkflowSchema, { template: primary });
  const r = validateWorkflow(ctx, compiled, errs.scope());
  if (!r.ok) return failed(errs.list());
  return ok(
    create(core.CompiledWorkflowClosureSchema, {
      primary: compiled,
      tasks: tasks.map((t) => create(core.CompiledTaskSchema, { template: t })),
      subWorkflows: compiledSubs,
    }),
  );
}
