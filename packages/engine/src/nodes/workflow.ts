// A workflow scope (the root execution, a sub-workflow, a dynamic workflow): starts each node once
// all it depends on is finished, applies the failure policy, runs the on-failure node, and resolves
// the workflow outputs. Reacts incrementally to the children that changed, so a long chain costs
// O(1) per node rather than a walk of the whole graph.
import { core } from "@aloft/idl";
import { isTerminal, type ActionRecord, type ExecutionFailure } from "../model/action.ts";
import { InvalidArgumentError } from "../errors.ts";
import type { ActionSpec, LiveAction } from "../runtime/live.ts";
import { buildDag, resolveInWorkflow, type Dag } from "./dag.ts";
import type { ActionContext, NodeHandler } from "./handler.ts";

interface WorkflowScratch {
  dag: Dag;
  remaining: Map<string, number>;
  done: number;
  started: boolean;
  failed: LiveAction | undefined;
}

function spec(ctx: ActionContext) {
  const s = ctx.action.spec;
  if (s.kind !== "workflow") throw new InvalidArgumentError(ctx.action.key, "is not a workflow action");
  if (!s.workflow.template) throw new InvalidArgumentError(`${ctx.action.key}.template`, "is missing");
  return { template: s.workflow.template, connections: s.workflow.connections, scope: s.scope };
}

function scratch(ctx: ActionContext): WorkflowScratch {
  const a = ctx.action;
  let s = a.scratch.wf as WorkflowScratch | undefined;
  if (!s) {
    const { template, connections } = spec(ctx);
    const dag = buildDag(template, connections, a.key);
    s = { dag, remaining: new Map(), done: 0, started: false, failed: undefined };
    a.scratch.wf = s;
  }
  return s;
}

const isBad = (p: string) => p === "FAILED" || p === "TIMED_OUT" || p === "ABORTED";

function failurePolicy(ctx: ActionContext): "FAIL_IMMEDIATELY" | "FAIL_AFTER_EXECUTABLE_NODES_COMPLETE" {
  const fromOptions = ctx.execution.rec.options.failurePolicy;
  if (fromOptions && !ctx.action.parent) return fromOptions;
  const p = spec(ctx).template.metadata?.onFailure;
  return p === core.WorkflowMetadata_OnFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE
    ? "FAIL_AFTER_EXECUTABLE_NODES_COMPLETE"
    : "FAIL_IMMEDIATELY";
}

async function startNode(ctx: ActionContext, s: WorkflowScratch, id: string): Promise<void> {
  const a = ctx.action;
  if (a.children.has(id)) return;
  // Once a node failed under FAIL_IMMEDIATELY nothing new starts (Flyte leaves them NOT_STARTED).
  if (s.failed && failurePolicy(ctx) === "FAIL_IMMEDIATELY") return;
  const node = s.dag.nodes.get(id)!;
  const nodeSpec: ActionSpec = { kind: "node", node, scope: spec(ctx).scope };
  // A node after a skipped (untaken branch) or failed node does not run.
  const blocked = (s.dag.upstream.get(id) ?? []).some((u) => a.children.get(u)?.rec.phase !== "SUCCEEDED");
  if (blocked) {
    ctx.ensureChild(id, "node", nodeSpec, { phase: "SKIPPED" });
    return;
  }
  const inputs = await resolveInWorkflow(ctx, node.inputs, `${a.key}.nodes.${id}`);
  ctx.ensureChild(id, "node", nodeSpec, { inputs });
  releaseOutputs(a, s, id);
}

/**
 * Drops the decoded outputs of upstream nodes whose only consumer just started: they stay in the record (inline
 * bytes or outputs.pb), where outputsOf finds them again if the workflow outputs or an event need them.
 */
function releaseOutputs(wf: LiveAction, s: WorkflowScratch, started: string): void {
  for (const u of s.dag.upstream.get(started) ?? []) {
    if (s.dag.downstream.get(u)?.length !== 1) continue;
    const c = wf.children.get(u);
    if (c?.outputs && (c.rec.outputs !== null || c.rec.outputsUri)) c.outputs = undefined;
  }
}

async function onTerminal(ctx: ActionContext, s: WorkflowScratch, child: LiveAction): Promise<void> {
  s.done++;
  if (isBad(child.rec.phase)) s.failed ??= child;
  for (const d of s.dag.downstream.get(child.rec.name) ?? []) {
    const left = (s.remaining.get(d) ?? 0) - 1;
    s.remaining.set(d, left);
    if (left === 0) await startNode(ctx, s, d);
  }
}

export const workflowHandler: NodeHandler = {
  async handle(ctx) {
    const a = ctx.action;
    const s = scratch(ctx);
    const state = a.rec.state as { failure?: ExecutionFailure };
    const failureNode = spec(ctx).template.failureNode;
    if (state.failure) return finishFailure(ctx, state.failure, failureNode);

    if (!s.started) {
      // First handle (fresh, or after a restart): derive counters from the children that exist.
      s.started = true;
      if (a.rec.phase === "QUEUED") ctx.setPhase("RUNNING");
      s.done = 0;
      for (const [id, ups] of s.dag.upstream) {
        // Counted without a filtered copy per node (this runs over every node of the workflow).
        let left = 0;
        for (const u of ups) if (!isTerminal(a.children.get(u)?.rec.phase ?? "QUEUED")) left++;
        s.remaining.set(id, left);
        const c = a.children.get(id);
        if (c && isTerminal(c.rec.phase)) {
          s.done++;
          if (isBad(c.rec.phase)) s.failed ??= c;
        }
      }
      for (const [id, left] of s.remaining) if (left === 0 && !a.children.has(id)) await startNode(ctx, s, id);
    } else {
      for (const name of a.changed) {
        const child = a.children.get(name);
        if (child && s.dag.nodes.has(name) && isTerminal(child.rec.phase)) await onTerminal(ctx, s, child);
      }
    }

    const failed = s.failed;
    if (failed) {
      if (failurePolicy(ctx) === "FAIL_IMMEDIATELY") {
        for (const c of a.children.values()) await ctx.abortChild(c, `node ${failed.rec.name} failed`);
      } else if (s.done < s.dag.nodes.size) return;
      const err = failed.rec.error ?? { kind: "SYSTEM" as const, code: "NodeFailed", message: `node ${failed.rec.name} ${failed.rec.phase}` };
      const failure: ExecutionFailure = { ...err, failedNodeId: err.failedNodeId ?? failed.rec.name };
      ctx.setState({ ...a.rec.state, failure });
      return finishFailure(ctx, failure, failureNode);
    }
    if (s.done < s.dag.nodes.size) return;
    const outputs = await resolveInWorkflow(ctx, spec(ctx).template.outputs, `${a.key}.outputs`);
    await ctx.succeed(outputs);
  },

  async abort(ctx, reason) {
    for (const c of ctx.action.children.values()) await ctx.abortChild(c, reason);
  },

  async childSpec(ctx, child: ActionRecord) {
    const { template, scope } = spec(ctx);
    const node = scratch(ctx).dag.nodes.get(child.name) ?? (template.failureNode?.id === child.name ? template.failureNode : undefined);
    if (!node) throw new InvalidArgumentError(child.key, `workflow has no node "${child.name}"`);
    return { kind: "node", node, scope };
  },

  async childInputs(ctx, child) {
    if (child.spec.kind !== "node") throw new InvalidArgumentError(child.key, "is not a node");
    return resolveInWorkflow(ctx, child.spec.node.inputs, `${ctx.action.key}.nodes.${child.rec.name}`);
  },
};

/** Runs the on-failure node (if any) once, then fails the workflow with the original error. */
async function finishFailure(ctx: ActionContext, failure: ExecutionFailure, failureNode: core.Node | undefined) {
  const running = [...ctx.action.children.values()].some((c) => !isTerminal(c.rec.phase) && c.rec.name !== failureNode?.id);
  if (running) return;
  if (failureNode) {
    let child = ctx.action.children.get(failureNode.id);
    if (!child) {
      const inputs = await resolveInWorkflow(ctx, failureNode.inputs, `${ctx.action.key}.failureNode`);
      child = ctx.ensureChild(failureNode.id, "node", { kind: "node", node: failureNode, scope: spec(ctx).scope }, { inputs });
    }
    if (!isTerminal(child.rec.phase)) return;
  }
  ctx.fail(failure);
}
