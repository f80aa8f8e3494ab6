// Branch nodes: evaluate the if/elif conditions over the branch's inputs, run the chosen node as
// the child action, and take its outputs. No match without an else, or an else-error, fails.
import { core } from "@aloft/idl";
import { InvalidArgumentError } from "../errors.ts";
import { isTerminal } from "../model/action.ts";
import { evaluateCondition } from "./branch-condition.ts";
import { resolveInWorkflow } from "./dag.ts";
import type { ActionContext, NodeHandler } from "./handler.ts";

function branchOf(ctx: ActionContext) {
  const s = ctx.action.spec;
  if (s.kind !== "node" || s.node.target.case !== "branchNode") throw new InvalidArgumentError(ctx.action.key, "is not a branch node");
  const ifElse = s.node.target.value.ifElse;
  if (!ifElse) throw new InvalidArgumentError(`${ctx.action.key}.branchNode.ifElse`, "is missing");
  return { ifElse, scope: s.scope };
}

function candidates(ifElse: core.IfElseBlock): core.Node[] {
  const out: core.Node[] = [];
  for (const b of [ifElse.case, ...ifElse.other]) if (b?.thenNode) out.push(b.thenNode);
  if (ifElse.default.case === "elseNode") out.push(ifElse.default.value);
  return out;
}

export const branchHandler: NodeHandler = {
  async handle(ctx) {
    const a = ctx.action;
    const { ifElse, scope } = branchOf(ctx);
    const taken = (a.rec.state as { taken?: string }).taken;
    if (taken === undefined) {
      ctx.setPhase("RUNNING");
      const inputs = await ctx.inputs();
      let chosen: core.Node | undefined;
      const blocks = [ifElse.case, ...ifElse.other];
      for (let i = 0; i < blocks.length && !chosen; i++) {
        const b = blocks[i];
        if (!b) continue;
        if (evaluateCondition(b.condition, inputs, `${a.key}.branchNode.${i === 0 ? "case" : `other[${i - 1}]`}.condition`)) chosen = b.thenNode;
      }
      if (!chosen) {
        if (ifElse.default.case === "elseNode") chosen = ifElse.default.value;
        else {
          const message = ifElse.default.case === "error" ? ifElse.default.value.message : "no branch condition matched and there is no else";
          return ctx.fail({ kind: "USER", code: "BranchFailure", message, failedNodeId: a.rec.name });
        }
      }
      ctx.setState({ ...a.rec.state, taken: chosen.id });
      const childInputs = await resolveInWorkflow(ctx.workflowContext(), chosen.inputs, `${a.key}.${chosen.id}`);
      ctx.ensureChild(chosen.id, "node", { kind: "node", node: chosen, scope }, { inputs: childInputs });
      return;
    }
    const child = a.children.get(taken);
    if (!child || !isTerminal(child.rec.phase)) return;
    if (child.rec.phase === "SUCCEEDED") return ctx.succeed(await ctx.outputsOf(child), child.rec.outputsUri ?? undefined);
    if (child.rec.phase === "SKIPPED") return ctx.skip();
    ctx.fail(child.rec.error ?? { kind: "SYSTEM", code: "BranchFailure", message: `branch ${taken} ${child.rec.phase}` });
  },
  async abort(ctx, reason) {
    for (const c of ctx.action.children.values()) await ctx.abortChild(c, reason);
  },
  async childSpec(ctx, child) {
    const { ifElse, scope } = branchOf(ctx);
    const node = candidates(ifElse).find((n) => n.id === child.name);
    if (!node) throw new InvalidArgumentError(child.key, "is not a node of this branch");
    return { kind: "node", node, scope };
  },
  async childInputs(ctx, child) {
    if (child.spec.kind !== "node") throw new InvalidArgumentError(child.key, "is not a node");
    return resolveInWorkflow(ctx.workflowContext(), child.spec.node.inputs, `${ctx.action.key}.${child.rec.name}`);
  },
};
