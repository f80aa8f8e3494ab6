// Which handler runs an action: one line per kind.
import { UnsupportedError } from "../errors.ts";
import type { LiveAction } from "../runtime/live.ts";
import { arrayHandler } from "./array.ts";
import { branchHandler } from "./branch.ts";
import { traceHandler } from "./call.ts";
import { gateHandler } from "./gate.ts";
import type { NodeHandler } from "./handler.ts";
import { launchPlanHandler } from "./launch-plan.ts";
import { subworkflowHandler } from "./subworkflow.ts";
import { taskHandler } from "./task.ts";
import { workflowHandler } from "./workflow.ts";

export function handlerFor(action: LiveAction): NodeHandler {
  const s = action.spec;
  if (s.kind === "workflow") return workflowHandler;
  if (s.kind === "subtask" || s.kind === "call") return taskHandler;
  if (s.kind === "trace") return traceHandler;
  const t = s.node.target;
  switch (t.case) {
    case "taskNode":
      return taskHandler;
    case "branchNode":
      return branchHandler;
    case "gateNode":
      return gateHandler;
    case "arrayNode":
      return arrayHandler;
    case "workflowNode":
      if (t.value.reference.case === "subWorkflowRef") return subworkflowHandler;
      if (t.value.reference.case === "launchplanRef") return launchPlanHandler;
      throw new UnsupportedError(`${action.key}.workflowNode.reference`, "is empty");
    default:
      throw new UnsupportedError(`${action.key}.target`, `node kind ${t.case ?? "(none)"} is not supported`);
  }
}
