// Relaunch and recover, as flyteadmin: both start a new execution from an earlier one's spec and user inputs.
// Relaunch runs everything again (mode RELAUNCH); recover (mode RECOVERED) reuses the outputs of the top-level task
// nodes that succeeded in the earlier execution and runs only the rest (see execution/recovery.ts).
import { create } from "@bufbuild/protobuf";
import { admin, core } from "@aloft/idl";
import type { AdminContext } from "../../context.ts";
import { launchPrepared, prepareLaunch } from "./create.ts";
import { randomExecutionName, validateExecutionName } from "./naming.ts";
import { executionIdentifier, getExecutionRow, requireExecutionId, toExecution } from "./rows.ts";
import { recoveredClosure } from "../../execution/recovery.ts";
import { userInputs } from "./data.ts";

async function again(ctx: AdminContext, id: core.WorkflowExecutionIdentifier | undefined, name: string, mode: admin.ExecutionMetadata_ExecutionMode, overwriteCache: boolean | undefined): Promise<admin.ExecutionCreateResponse> {
  const source = requireExecutionId(id, "id");
  if (name !== "") validateExecutionName(name);
  const row = await getExecutionRow(ctx, source);
  const spec = toExecution(row).spec ?? create(admin.ExecutionSpecSchema, {});
  const given = await userInputs(ctx, row);
  const metadata = spec.metadata ?? create(admin.ExecutionMetadataSchema, {});
  metadata.mode = mode;
  metadata.referenceExecution = executionIdentifier(source);
  spec.metadata = metadata;
  if (overwriteCache !== undefined) spec.overwriteCache = overwriteCache;
  // The launch plan may have been re-resolved for a single-task execution; keep the original reference.
  const prepared = await prepareLaunch(ctx, source.project, source.domain, name || randomExecutionName(), spec, given);
  if (mode === admin.ExecutionMetadata_ExecutionMode.RECOVERED) prepared.closure = await recoveredClosure(ctx, prepared.closure, source, prepared.key);
  await launchPrepared(ctx, prepared, { sourceExecution: source });
  return create(admin.ExecutionCreateResponseSchema, { id: executionIdentifier(prepared.key) });
}

export async function relaunchExecution(ctx: AdminContext, req: admin.ExecutionRelaunchRequest): Promise<admin.ExecutionCreateResponse> {
  return again(ctx, req.id, req.name, admin.ExecutionMetadata_ExecutionMode.RELAUNCH, req.overwriteCache);
}

export async function recoverExecution(ctx: AdminContext, req: admin.ExecutionRecoverRequest): Promise<admin.ExecutionCreateResponse> {
  return again(ctx, req.id, req.name, admin.ExecutionMetadata_ExecutionMode.RECOVERED, undefined);
}
