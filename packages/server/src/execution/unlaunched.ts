// Executions recorded but never handed to the engine: CreateExecution writes the record (phase UNDEFINED) before it
// launches, so a server that stopped in between (killed, disk full, database gone) leaves records the engine never
// heard of, which would otherwise stay UNDEFINED forever. They are marked FAILED with the reason, as a launch that
// fails is; records the engine does hold are left to its redelivered events.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { admin, core } from "@aloft/idl";
import type { Engine } from "@aloft/engine";
import type { AdminContext } from "../context.ts";
import { executionIdentifier } from "../admin/executions/rows.ts";
import type { ExecutionReporter } from "../observability/execution-report.ts";

export const UNLAUNCHED_CODE = "LaunchFailed";
export const UNLAUNCHED_MESSAGE = "the server stopped (or lost its database or disk) after recording this execution and before starting it; it never ran: create it again";

/**
 * Marks FAILED every UNDEFINED execution record the engine does not hold, created before `before` (at start-up:
 * now, since no create of this process is in flight; later: a margin past any create still on its way to the
 * engine). Returns how many were marked.
 */
export async function failUnlaunched(ctx: AdminContext, engine: Pick<Engine, "getExecution">, before: Date, reporter?: ExecutionReporter): Promise<number> {
  const rows = await ctx.db
    .selectFrom("admin_executions")
    .select(["project", "domain", "name", "closure", "created_at"])
    .where("phase", "=", "UNDEFINED")
    .where("created_at", "<", before)
    .execute();
  let failed = 0;
  for (const row of rows) {
    if (await engine.getExecution(executionIdentifier(row))) continue;
    const now = ctx.now();
    const closure = fromBinary(admin.ExecutionClosureSchema, row.closure);
    closure.phase = core.WorkflowExecution_Phase.FAILED;
    closure.updatedAt = timestampFromDate(now);
    closure.outputResult = { case: "error", value: create(core.ExecutionErrorSchema, { code: UNLAUNCHED_CODE, message: UNLAUNCHED_MESSAGE, kind: core.ExecutionError_ErrorKind.SYSTEM }) };
    const done = await ctx.db
      .updateTable("admin_executions")
      .set({ phase: "FAILED", closure: toBinary(admin.ExecutionClosureSchema, closure), error_code: UNLAUNCHED_CODE, error_kind: "SYSTEM", updated_at: now })
      .where("project", "=", row.project)
      .where("domain", "=", row.domain)
      .where("name", "=", row.name)
      // Only if nothing moved it meanwhile (an event of an execution the engine took after all).
      .where("phase", "=", "UNDEFINED")
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) === 0) continue;
    failed++;
    ctx.log.warn({ execution: { project: row.project, domain: row.domain, name: row.name } }, `execution never started; marked FAILED: ${UNLAUNCHED_MESSAGE}`);
    reporter?.neverStarted({ project: row.project, domain: row.domain, name: row.name }, UNLAUNCHED_CODE, UNLAUNCHED_MESSAGE, row.created_at);
  }
  return failed;
}
