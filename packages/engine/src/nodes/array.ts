// Array nodes (map tasks): one subtask action per item, at most `parallelism` running at once,
// success when at least min_successes (or min_success_ratio of the items) succeed. Subtask inputs
// are cut from the node's collection inputs on demand (never stored); outputs are gathered into
// collections, with None for failed items. Completions are counted incrementally.
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { InvalidArgumentError, UnsupportedError } from "../errors.ts";
import { isTerminal, type ExecutionFailure } from "../model/action.ts";
import type { ActionSpec, LiveAction } from "../runtime/live.ts";
import type { ActionContext, NodeHandler } from "./handler.ts";

interface ArrayScratch {
  n: number;
  next: number;
  running: number;
  succeeded: number;
  failed: number;
  firstError: ExecutionFailure | undefined;
}

function arrayOf(ctx: ActionContext) {
  const s = ctx.action.spec;
  if (s.kind !== "node" || s.node.target.case !== "arrayNode") throw new InvalidArgumentError(ctx.action.key, "is not an array node");
  const arr = s.node.target.value;
  const sub = arr.node;
  if (!sub) throw new InvalidArgumentError(`${ctx.action.key}.arrayNode.node`, "is missing");
  if (sub.target.case !== "taskNode") {
    throw new UnsupportedError(`${ctx.action.key}.arrayNode.node`, `array nodes over ${sub.target.case ?? "empty"} nodes are not supported (only task nodes)`);
  }
  const ref = sub.target.value.reference;
  if (ref.case !== "referenceId") throw new InvalidArgumentError(`${ctx.action.key}.arrayNode.node.taskNode`, "has no reference_id");
  const task = s.scope.task(ref.value, `${ctx.action.key}.arrayNode.node.taskNode.referenceId`);
  return { arr, sub, task, scope: s.scope };
}

function itemCount(inputs: core.LiteralMap, key: string): number {
  let n: number | undefined;
  for (const [name, lit] of Object.entries(inputs.literals)) {
    if (lit.value.case !== "collection") continue;
    const len = lit.value.value.literals.length;
    if (n !== undefined && n !== len) throw new InvalidArgumentError(`${key}.inputs.${name}`, `has ${len} items but another list input has ${n}`);
    n = len;
  }
  if (n === undefined) throw new InvalidArgumentError(`${key}.inputs`, "an array node needs at least one list input");
  return n;
}

function itemInputs(inputs: core.LiteralMap, i: number): core.LiteralMap {
  const literals: Record<string, core.Literal> = {};
  for (const [name, lit] of Object.entries(inputs.literals)) {
    literals[name] = lit.value.case === "collection" ? lit.value.value.literals[i]! : lit;
  }
  return create(core.LiteralMapSchema, { literals });
}

function minSuccesses(arr: core.ArrayNode, n: number): number {
  const c = arr.successCriteria;
  if (c.case === "minSuccesses") return Math.min(n, c.value);
  if (c.case === "minSuccessRatio") return Math.min(n, Math.ceil(c.value * n - 1e-9));
  return n;
}

const NONE = create(core.LiteralSchema, { value: { case: "scalar", value: { value: { case: "noneType", value: {} } } } });

export const arrayHandler: NodeHandler = {
  async handle(ctx) {
    const a = ctx.action;
    const { arr, sub, task, scope } = arrayOf(ctx);
    let s = a.scratch.array as ArrayScratch | undefined;
    if (!s) {
      ctx.setPhase("RUNNING");
      const n = itemCount(await ctx.inputs(), a.key);
      s = { n, next: 0, running: 0, succeeded: 0, failed: 0, firstError: undefined };
      // After a restart: count what the existing subtasks already did.
      for (const c of a.children.values()) count(s, c);
      while (a.children.has(String(s.next))) s.next++;
      a.scratch.array = s;
    } else {
      for (const name of a.changed) {
        const c = a.children.get(name);
        if (c && isTerminal(c.rec.phase)) {
          s.running--;
          count(s, c);
        }
      }
    }
    const min = minSuccesses(arr, s.n);
    if (s.failed > s.n - min) {
      for (const c of a.children.values()) await ctx.abortChild(c, "array node cannot reach its minimum successes");
      const e = s.firstError ?? { kind: "USER" as const, code: "ArrayNodeFailed", message: "subtasks failed" };
      return ctx.fail({ ...e, message: `${s.failed} of ${s.n} subtasks failed (at least ${min} must succeed); first: ${e.message}`, failedNodeId: a.rec.name });
    }
    const limit = arr.parallelismOption.case === "parallelism" && arr.parallelismOption.value > 0 ? arr.parallelismOption.value : Infinity;
    while (s.next < s.n && s.running < limit) {
      const spec: ActionSpec = { kind: "subtask", node: sub, task, index: s.next, scope };
      ctx.ensureChild(String(s.next), "subtask", spec);
      s.next++;
      s.running++;
    }
    if (s.succeeded + s.failed < s.n) return;
    await ctx.succeed(await gatherOutputs(ctx, task, s.n));
  },

  async abort(ctx, reason) {
    for (const c of ctx.action.children.values()) await ctx.abortChild(c, reason);
  },

  async childSpec(ctx, child) {
    const { sub, task, scope } = arrayOf(ctx);
    return { kind: "subtask", node: sub, task, index: Number(child.name), scope };
  },

  async childInputs(ctx, child) {
    return itemInputs(await ctx.inputs(), Number(child.rec.name));
  },
};

function count(s: ArrayScratch, c: LiveAction) {
  if (c.rec.phase === "SUCCEEDED") s.succeeded++;
  else if (isTerminal(c.rec.phase)) {
    s.failed++;
    s.firstError ??= c.rec.error ?? undefined;
  } else s.running++;
}

async function gatherOutputs(ctx: ActionContext, task: core.TaskTemplate, n: number): Promise<core.LiteralMap> {
  const names = Object.keys(task.interface?.outputs?.variables ?? {});
  const columns: Record<string, core.Literal[]> = Object.fromEntries(names.map((k) => [k, new Array<core.Literal>(n)]));
  for (let i = 0; i < n; i++) {
    const c = ctx.action.children.get(String(i))!;
    const out = c.rec.phase === "SUCCEEDED" ? await ctx.outputsOf(c) : undefined;
    for (const k of names) columns[k]![i] = out?.literals[k] ?? NONE;
  }
  const literals: Record<string, core.Literal> = {};
  for (const k of names) literals[k] = create(core.LiteralSchema, { value: { case: "collection", value: { literals: columns[k]! } } });
  return create(core.LiteralMapSchema, { literals });
}
