// Execution records: the row, its FlyteIDL view, and the phase bookkeeping shared by create, events and terminate.
import { create, fromBinary } from "@bufbuild/protobuf";
import { admin, core } from "@aloft/idl";
import { NotFoundError } from "../../errors.ts";
import type { AdminContext } from "../../context.ts";
import type { ExecutionRow } from "../../db/schema.ts";
import { requirePresent, requireString } from "../validate.ts";

export interface ExecKey {
  project: string;
  domain: string;
  name: string;
}

export const showExec = (k: ExecKey) => `${k.project}/${k.domain}/${k.name}`;

export function requireExecutionId(id: core.WorkflowExecutionIdentifier | undefined, field: string): ExecKey {
  const present = requirePresent(id, field);
  return {
    project: requireString(present.project, `${field}.project`),
    domain: requireString(present.domain, `${field}.domain`),
    name: requireString(present.name, `${field}.name`),
  };
}

export function executionIdentifier(k: ExecKey): core.WorkflowExecutionIdentifier {
  return create(core.WorkflowExecutionIdentifierSchema, { project: k.project, domain: k.domain, name: k.name });
}

export function phaseName(phase: core.WorkflowExecution_Phase): string {
  return core.WorkflowExecution_Phase[phase] ?? "UNDEFINED";
}

export function phaseOf(name: string): core.WorkflowExecution_Phase {
  const v = (core.WorkflowExecution_Phase as unknown as Record<string, number>)[name];
  return v ?? core.WorkflowExecution_Phase.UNDEFINED;
}

const terminal = new Set([core.WorkflowExecution_Phase.SUCCEEDED, core.WorkflowExecution_Phase.FAILED, core.WorkflowExecution_Phase.TIMED_OUT, core.WorkflowExecution_Phase.ABORTED]);

export function isTerminalPhase(p: core.WorkflowExecution_Phase): boolean {
  return terminal.has(p);
}

export function toExecution(row: ExecutionRow): admin.Execution {
  return create(admin.ExecutionSchema, {
    id: executionIdentifier(row),
    spec: fromBinary(admin.ExecutionSpecSchema, row.spec),
    closure: fromBinary(admin.ExecutionClosureSchema, row.closure),
  });
}

export async function getExecutionRow(ctx: AdminContext, k: ExecKey): Promise<ExecutionRow> {
  const row = await ctx.db.selectFrom("admin_executions").selectAll().where("project", "=", k.project).where("domain", "=", k.domain).where("name", "=", k.name).executeTakeFirst();
  if (!row) throw new NotFoundError(`execution ${showExec(k)} not found`);
  return row;
}
