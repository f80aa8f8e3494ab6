// Launch-plan interfaces for compiling launch-plan nodes, built from admin launch plans the way flytepropeller's
// LaunchPlanInterfaceProvider reads them (expected inputs and outputs from the launch plan's closure).
import { create } from "@bufbuild/protobuf";
import { type admin, core } from "@aloft/idl";
import type { LaunchPlanInterface } from "./builder.ts";

export function launchPlanInterface(lp: admin.LaunchPlan): LaunchPlanInterface {
  return {
    id: lp.id ?? create(core.IdentifierSchema),
    expectedInputs: lp.closure?.expectedInputs,
    expectedOutputs: lp.closure?.expectedOutputs,
  };
}

