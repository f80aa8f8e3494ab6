// Sub-workflow nodes: the referenced workflow of the closure runs as the child action "workflow"
// with the node's inputs; its outputs become the node's.
import { InvalidArgumentError } from "../errors.ts";
import { isTerminal } from "../model/action.ts";
import type { ActionSpec } from "../runtime/live.ts";
import type { ActionContext, NodeHandler } from "./handler.ts";

const CHILD = "workflow";

function childSpec(ctx: ActionContext): ActionSpec {
  const s = ctx.action.spec;
  if (s.kind !== "node" || s.node.target.case !== "workflowNode" || s.node.target.value.reference.case !== "subWorkflowRef") {
    throw new InvalidArgumentError(ctx.action.key, "is not a sub-workflow node");
  }
  return { kind: "workflow", workflow: s.scope.workflow(s.node.target.value.reference.value, `${ctx.action.key}.workflowNode.subWorkflowRef`), scope: s.scope };
}

export const subworkflowHandler: NodeHandler = {
  async handle(ctx) {
    const a = ctx.action;
    let child = a.children.get(CHILD);
    if (!child) {
      ctx.setPhase("RUNNING");
      child = ctx.ensureChild(CHILD, "workflow", childSpec(ctx), { inputs: await ctx.inputs() });
    }
    if (!isTerminal(child.rec.phase)) return;
    if (child.rec.phase === "SUCCEEDED") return ctx.succeed(await ctx.outputsOf(child), child.rec.outputsUri ?? undefined);
    ctx.fail(child.rec.error ?? { kind: "SYSTEM", code: "SubWorkflowFailed", message: `sub-workflow ${child.rec.phase}` }, child.rec.phase === "TIMED_OUT" ? "TIMED_OUT" : "FAILED");
  },
  async abort(ctx, reason) {
    for (const c of ctx.action.children.values()) await ctx.abortChild(c, reason);
  },
  childSpec: async (ctx) => childSpec(ctx),
  childInputs: (ctx) => ctx.inputs(),
};
