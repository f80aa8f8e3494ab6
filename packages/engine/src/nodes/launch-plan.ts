// Launch-plan nodes: the control plane resolves the launch plan (closure plus merged inputs), and
// the engine starts it as a child execution whose name is derived from this action's key, so a
// restarted parent finds the execution it already started instead of launching a second one.
import { createHash } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { InvalidArgumentError, UnsupportedError } from "../errors.ts";
import { isTerminal } from "../model/action.ts";
import type { ActionContext, NodeHandler } from "./handler.ts";

function childId(ctx: ActionContext): core.WorkflowExecutionIdentifier {
  const parent = ctx.execution.id;
  // Flyte limits execution names to 63 characters; a digest of the action key keeps it unique.
  const digest = createHash("sha256").update(ctx.action.key).digest("hex").slice(0, 16);
  const name = `${parent.name.slice(0, 40)}-${digest}`;
  return create(core.WorkflowExecutionIdentifierSchema, { project: parent.project, domain: parent.domain, name });
}

export const launchPlanHandler: NodeHandler = {
  async handle(ctx) {
    const a = ctx.action;
    const s = a.spec;
    if (s.kind !== "node" || s.node.target.case !== "workflowNode" || s.node.target.value.reference.case !== "launchplanRef") {
      throw new InvalidArgumentError(a.key, "is not a launch-plan node");
    }
    const id = childId(ctx);
    const state = a.rec.state as { child?: string };
    if (!state.child) {
      const resolver = ctx.services.launchPlans;
      if (!resolver) throw new UnsupportedError(`${a.key}.workflowNode.launchplanRef`, "no launch plan resolver is configured on this engine");
      ctx.setPhase("RUNNING");
      const resolved = await resolver({ launchPlan: s.node.target.value.reference.value, inputs: await ctx.inputs(), parentExecution: ctx.execution.id, parentNodeId: a.rec.name });
      await ctx.services.startChildExecution({ id, closure: resolved.closure, inputs: resolved.inputs, parentAction: a });
      ctx.setState({ ...a.rec.state, child: id.name });
      return;
    }
    const result = await ctx.services.executionResult(id);
    if (!result || !isTerminal(result.phase)) return;
    if (result.phase === "SUCCEEDED") return ctx.succeed(result.outputs ?? create(core.LiteralMapSchema, {}));
    ctx.fail(result.error ?? { kind: "SYSTEM", code: "LaunchPlanFailed", message: `child execution ${id.name} ${result.phase}` });
  },
  async abort(ctx, reason) {
    if ((ctx.action.rec.state as { child?: string }).child) await ctx.services.abortExecution(childId(ctx), reason);
  },
};
