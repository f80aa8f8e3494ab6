// Launch-plan nodes in local runs: the child execution's closure and inputs come from the launch plans the
// serializer produced (defaults, then fixed inputs, then what the node binds), as flyteadmin would merge them.
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import type { LaunchPlanResolver } from "@aloft/engine";
import { SerializationError } from "../errors.ts";
import type { Serializer } from "../serialize/serializer.ts";

export function localLaunchPlans(s: Serializer): LaunchPlanResolver {
  return async ({ launchPlan, inputs }) => {
    const lp = s.launchPlans.get(launchPlan.name);
    if (!lp) throw new SerializationError(`launch plan "${launchPlan.name}" is not part of this run`);
    const closure = s.compile(lp.spec!.workflowId!.name);
    const literals: Record<string, core.Literal> = {};
    for (const [k, p] of Object.entries(lp.closure?.expectedInputs?.parameters ?? {})) {
      if (p.behavior.case === "default") literals[k] = p.behavior.value;
    }
    Object.assign(literals, lp.spec?.fixedInputs?.literals ?? {}, inputs.literals);
    return { closure, inputs: create(core.LiteralMapSchema, { literals }) };
  };
}
