// Executions the engine starts for launch-plan nodes. The engine resolves the launch plan through the control
// plane (launchPlanResolver) but names the child itself; its first event is the first time the control plane
// sees that name. The resolver remembers what it resolved per parent, and the first event of an unknown execution
// adopts the matching entry: the child is recorded (mode CHILD_WORKFLOW, parent node, launch plan, inputs) like
// flyteadmin records executions launched by flytepropeller, and then its events apply as usual.
import { create } from "@bufbuild/protobuf";
import { admin, core } from "@aloft/idl";
import type { AdminContext } from "../context.ts";
import { launchPrepared, prepareLaunch } from "../admin/executions/create.ts";
import type { ExecKey } from "../admin/executions/rows.ts";

interface Pending {
  parent: ExecKey;
  nodeId: string;
  launchPlan: core.Identifier;
  inputs: core.LiteralMap;
}

export class ChildExecutions {
  #pending: Pending[] = [];

  resolved(parent: ExecKey, nodeId: string, launchPlan: core.Identifier, inputs: core.LiteralMap): void {
    this.#pending.push({ parent, nodeId, launchPlan, inputs });
    // Entries whose child never reported (the parent aborted first) must not accumulate forever.
    if (this.#pending.length > 10_000) this.#pending.shift();
  }

  /** Records an execution the engine reported but the control plane never created; false when it is not a child. */
  async adopt(ctx: AdminContext, child: core.WorkflowExecutionIdentifier): Promise<boolean> {
    // The engine derives a child's name from its parent's (a prefix of at most 40 characters and a dash).
    const i = this.#pending.findIndex((p) => p.parent.project === child.project && p.parent.domain === child.domain && child.name.startsWith(`${p.parent.name.slice(0, 40)}-`));
    if (i < 0) return false;
    const p = this.#pending.splice(i, 1)[0]!;
    const spec = create(admin.ExecutionSpecSchema, {
      launchPlan: p.launchPlan,
      metadata: {
        mode: admin.ExecutionMetadata_ExecutionMode.CHILD_WORKFLOW,
        parentNodeExecution: { executionId: { ...p.parent }, nodeId: p.nodeId },
        nesting: 1,
      },
    });
    const prepared = await prepareLaunch(ctx, child.project, child.domain, child.name, spec, p.inputs);
    await launchPrepared(ctx, prepared, { childOf: { execution: p.parent, nodeId: p.nodeId } });
    return true;
  }
}
