// Gate nodes: sleep for a duration, wait for an approval (a boolean signal; approved passes the
// inputs through, rejected fails), or wait for a typed signal whose value becomes the output.
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { InvalidArgumentError } from "../errors.ts";
import { durationMs } from "./durations.ts";
import type { ActionContext, NodeHandler } from "./handler.ts";

function gateOf(ctx: ActionContext): core.GateNode {
  const s = ctx.action.spec;
  if (s.kind !== "node" || s.node.target.case !== "gateNode") throw new InvalidArgumentError(ctx.action.key, "is not a gate node");
  return s.node.target.value;
}

export const gateHandler: NodeHandler = {
  async handle(ctx) {
    const a = ctx.action;
    const gate = gateOf(ctx);
    ctx.setPhase("RUNNING");
    const c = gate.condition;
    switch (c.case) {
      case "sleep": {
        const until = (a.rec.startedAt ?? ctx.now()) + durationMs(c.value.duration);
        if (ctx.now() >= until) return ctx.succeed(create(core.LiteralMapSchema, {}));
        return ctx.wakeAt(until);
      }
      case "approve": {
        const value = await ctx.services.getSignal(a.rec.execution, c.value.signalId);
        if (!value) return ctx.services.watchSignal(a.rec.execution, c.value.signalId, a);
        const v = value.value.case === "scalar" && value.value.value.value.case === "primitive" ? value.value.value.value.value.value : undefined;
        if (v?.case !== "boolean") {
          return ctx.fail({ kind: "SYSTEM", code: "RuntimeExecutionError", message: `approve signal ${c.value.signalId} is not a boolean` });
        }
        if (!v.value) {
          return ctx.fail({ kind: "USER", code: "ReceivedRejectSignal", message: `signal ${c.value.signalId} rejected the node inputs`, failedNodeId: a.rec.name });
        }
        return ctx.succeed(await ctx.inputs());
      }
      case "signal": {
        const value = await ctx.services.getSignal(a.rec.execution, c.value.signalId);
        if (!value) return ctx.services.watchSignal(a.rec.execution, c.value.signalId, a);
        return ctx.succeed(create(core.LiteralMapSchema, { literals: { [c.value.outputVariableName]: value } }));
      }
      default:
        throw new InvalidArgumentError(`${a.key}.gateNode.condition`, "has no sleep, approve or signal condition");
    }
  },
  async abort() {},
};
