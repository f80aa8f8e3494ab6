// SignalService: the gate nodes of an execution that wait for a value (approve: a boolean; signal: a typed
// value). Signals are known from the execution's compiled workflow (and from GetOrCreateSignal, which
// flytepropeller-like reporters call); SetSignal checks the value's type and hands it to the engine.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { admin, core, formatLiteralType } from "@aloft/idl";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, UnimplementedError } from "../errors.ts";
import type { AdminContext } from "../context.ts";
import { getCompiledWorkflow } from "./workflows.ts";
import { cached } from "./entity-cache.ts";
import { areTypesCastable, literalTypeForLiteral } from "./compile.ts";
import { getExecutionRow, requireExecutionId, showExec, type ExecKey } from "./executions/rows.ts";
import { requirePresent, requireString } from "./validate.ts";
import { page, parseListQuery } from "../query/list-query.ts";
import { signalColumns } from "../query/columns.ts";

const boolean = () => create(core.LiteralTypeSchema, { type: { case: "simple", value: core.SimpleType.BOOLEAN } });

function gatesOf(nodes: core.Node[], out: Map<string, core.LiteralType>): void {
  for (const n of nodes) {
    const t = n.target;
    if (t.case === "gateNode") {
      const c = t.value.condition;
      if (c.case === "approve") out.set(c.value.signalId, boolean());
      else if (c.case === "signal" && c.value.type) out.set(c.value.signalId, c.value.type);
    } else if (t.case === "branchNode") {
      const b = t.value.ifElse;
      const inner = [b?.case?.thenNode, ...(b?.other ?? []).map((o) => o.thenNode), b?.default.case === "elseNode" ? b.default.value : undefined];
      gatesOf(inner.filter((x): x is core.Node => x !== undefined), out);
    } else if (t.case === "arrayNode" && t.value.node) gatesOf([t.value.node], out);
  }
}

/** Signals declared by the gate nodes of the execution's workflow and its sub-workflows. */
async function declaredSignals(ctx: AdminContext, key: ExecKey): Promise<Map<string, core.LiteralType>> {
  const row = await getExecutionRow(ctx, key);
  const out = new Map<string, core.LiteralType>();
  if (!row.workflow_name || row.task_name) return out;
  const wfKey = { project: row.workflow_project, domain: row.workflow_domain, name: row.workflow_name, version: row.workflow_version };
  const closure = await cached(ctx.db as never, `wf:${wfKey.project}/${wfKey.domain}/${wfKey.name}/${wfKey.version}`, () => getCompiledWorkflow(ctx, wfKey));
  for (const wf of [closure?.primary, ...(closure?.subWorkflows ?? [])]) gatesOf(wf?.template?.nodes ?? [], out);
  return out;
}

async function storedSignals(ctx: AdminContext, key: ExecKey) {
  return ctx.db.selectFrom("admin_signals").selectAll().where("project", "=", key.project).where("domain", "=", key.domain).where("name", "=", key.name).execute();
}

function toSignal(key: ExecKey, signalId: string, type: core.LiteralType, value: Uint8Array | null): admin.Signal {
  return create(admin.SignalSchema, {
    id: { executionId: { ...key }, signalId },
    type,
    value: value ? fromBinary(core.LiteralSchema, value) : undefined,
  });
}

export async function listSignals(ctx: AdminContext, req: admin.SignalListRequest): Promise<admin.SignalList> {
  const key = requireExecutionId(req.workflowExecutionId, "workflow_execution_id");
  if (req.filters !== "") throw new UnimplementedError("filters on ListSignals are not supported");
  if (req.sortBy && req.sortBy.key !== "") throw new UnimplementedError("sort_by on ListSignals is not supported; signals are listed by id");
  const q = parseListQuery({ ...req, filters: "" }, signalColumns, "signals");
  const declared = await declaredSignals(ctx, key);
  const stored = new Map((await storedSignals(ctx, key)).map((r) => [r.signal_id, r]));
  const ids = [...new Set([...declared.keys(), ...stored.keys()])].sort();
  const all = ids.map((id) => {
    const s = stored.get(id);
    return toSignal(key, id, s ? fromBinary(core.LiteralTypeSchema, s.type) : declared.get(id)!, s?.value ?? null);
  });
  const { rows, token } = page(all.slice(q.offset, q.offset + q.limit + 1), q);
  return create(admin.SignalListSchema, { signals: rows, token });
}

export async function getOrCreateSignal(ctx: AdminContext, req: admin.SignalGetOrCreateRequest): Promise<admin.Signal> {
  const id = requirePresent(req.id, "id");
  const key = requireExecutionId(id.executionId, "id.execution_id");
  const signalId = requireString(id.signalId, "id.signal_id");
  const type = requirePresent(req.type, "type");
  await getExecutionRow(ctx, key);
  const now = ctx.now();
  await ctx.db
    .insertInto("admin_signals")
    .values({ ...key, signal_id: signalId, type: toBinary(core.LiteralTypeSchema, type), value: null, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(["project", "domain", "name", "signal_id"]).doNothing())
    .execute();
  const row = (await storedSignals(ctx, key)).find((r) => r.signal_id === signalId)!;
  return toSignal(key, signalId, fromBinary(core.LiteralTypeSchema, row.type), row.value);
}

export async function setSignal(ctx: AdminContext, req: admin.SignalSetRequest): Promise<admin.SignalSetResponse> {
  const id = requirePresent(req.id, "id");
  const key = requireExecutionId(id.executionId, "id.execution_id");
  const signalId = requireString(id.signalId, "id.signal_id");
  const value = requirePresent(req.value, "value");
  const stored = (await storedSignals(ctx, key)).find((r) => r.signal_id === signalId);
  const type = stored ? fromBinary(core.LiteralTypeSchema, stored.type) : (await declaredSignals(ctx, key)).get(signalId);
  if (!type) throw new NotFoundError(`execution ${showExec(key)} has no signal ${signalId}`);
  if (stored?.value) throw new FailedPreconditionError(`signal ${signalId} of ${showExec(key)} is already set`);
  const given = literalTypeForLiteral(value);
  if (!given || !areTypesCastable(given, type)) throw new InvalidArgumentError(`value: signal ${signalId} expects ${formatLiteralType(type)}, got ${given ? formatLiteralType(given) : "an untyped literal"}`);
  const now = ctx.now();
  await ctx.db
    .insertInto("admin_signals")
    .values({ ...key, signal_id: signalId, type: toBinary(core.LiteralTypeSchema, type), value: toBinary(core.LiteralSchema, value), created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(["project", "domain", "name", "signal_id"]).doUpdateSet({ value: toBinary(core.LiteralSchema, value), updated_at: now }))
    .execute();
  await ctx.launcher?.setSignal(create(core.WorkflowExecutionIdentifierSchema, { ...key }), signalId, value);
  return create(admin.SignalSetResponseSchema, {});
}
