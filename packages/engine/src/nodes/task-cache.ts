// The task handler's use of the data catalog: lookup before the first attempt (recording why it hit
// or missed), serialisation through reservations, put after success. The recorded status follows
// flytepropeller's: HIT, MISS then POPULATED (or PUT_FAILURE), SKIPPED then POPULATED under
// overwrite_cache; the key and the source task execution are kept for the node's catalog metadata.
import type { core } from "@aloft/idl";
import type { SourceTaskExecution } from "../catalog/catalog.ts";
import type { CacheKey } from "../catalog/key.ts";
import { uniqueNodeId } from "../events/builder.ts";
import type { ActionContext } from "./handler.ts";

// A reservation not refreshed within this time belongs to a dead owner and may be taken over.
const RESERVATION_TTL_MS = 30_000;
const RESERVATION_RETRY_MS = 250;

export type CacheStatus = "HIT" | "MISS" | "POPULATED" | "SKIPPED" | "PUT_FAILURE";

/** What a task node records about its cache use (in its durable state). */
export interface CacheRecord {
  status: CacheStatus;
  reason: string;
  /** The catalog key, once the entry is known to exist (HIT, POPULATED). */
  key?: Pick<CacheKey, "task" | "version" | "signature" | "inputs">;
  source?: SourceTaskExecution;
}

interface CacheState {
  cache?: CacheRecord;
}

const keyOf = (k: CacheKey): CacheRecord["key"] => ({ task: k.task, version: k.version, signature: k.signature, inputs: k.inputs });

/** Whether the task uses the catalog at all (callers skip the calls below otherwise). */
export function cacheEnabled(ctx: ActionContext, task: core.TaskTemplate): boolean {
  return ctx.services.catalog !== undefined && task.metadata?.discoverable === true;
}

/** "done": served from cache; "wait": another owner runs it, woken later; "run": run it here. */
export async function cacheBeforeRun(ctx: ActionContext, task: core.TaskTemplate): Promise<"done" | "wait" | "run"> {
  if (!cacheEnabled(ctx, task)) return "run";
  const catalog = ctx.services.catalog!;
  const a = ctx.action;
  const state = a.rec.state as CacheState;
  const inputs = await ctx.inputs();
  if (!state.cache) {
    if (ctx.execution.rec.options.overwriteCache) {
      setCache(ctx, { status: "SKIPPED", reason: "overwrite_cache requested: run and replace the entry" });
    } else {
      const found = await catalog.lookup(task, inputs);
      if (found.hit && found.outputs) {
        setCache(ctx, { status: "HIT", reason: found.reason, key: keyOf(found.key), ...(found.source?.taskExecution ? { source: found.source.taskExecution } : {}) });
        await ctx.succeed(found.outputs, undefined, found.outputsBytes);
        return "done";
      }
      setCache(ctx, { status: "MISS", reason: found.reason });
    }
  }
  if (task.metadata?.cacheSerializable && !a.scratch.reserved) {
    const r = await catalog.reserve(task, inputs, a.key, RESERVATION_TTL_MS);
    if (!r.acquired) {
      // Someone else computes this entry: look it up again once they are likely done.
      const { cache: _dropped, ...rest } = a.rec.state as CacheState & Record<string, unknown>;
      ctx.setState(rest);
      ctx.wakeAt(ctx.now() + RESERVATION_RETRY_MS);
      return "wait";
    }
    a.scratch.reserved = true;
  }
  return "run";
}

function setCache(ctx: ActionContext, cache: CacheRecord): void {
  ctx.setState({ ...ctx.action.rec.state, cache });
}

/** The task execution that computes this node's outputs now (the source of the entry it writes). */
function sourceHere(ctx: ActionContext, task: core.TaskTemplate): SourceTaskExecution {
  const a = ctx.action;
  const id = task.id!;
  return {
    task: { project: id.project, domain: id.domain, name: id.name, version: id.version },
    execution: { project: a.exec.id.project, domain: a.exec.id.domain, name: a.exec.id.name },
    nodeId: uniqueNodeId(a),
    retryAttempt: a.rec.attempt,
  };
}

export async function cacheAfterSuccess(ctx: ActionContext, task: core.TaskTemplate, outputs: core.LiteralMap): Promise<void> {
  if (!cacheEnabled(ctx, task)) return;
  const catalog = ctx.services.catalog!;
  const inputs = await ctx.inputs();
  const overwrite = ctx.execution.rec.options.overwriteCache === true;
  const before = (ctx.action.rec.state as CacheState).cache;
  const source = sourceHere(ctx, task);
  try {
    const put = await catalog.put(task, inputs, outputs, { execution: ctx.action.rec.execution, action: ctx.action.key, taskExecution: source }, overwrite);
    setCache(ctx, {
      status: "POPULATED",
      // A put loses only to an identical key written meanwhile (by a concurrent execution): that entry stays.
      reason: `${before?.reason ?? "miss"}; ${!put.stored ? "entry already written by another execution" : before?.status === "SKIPPED" ? "entry replaced" : "entry written"}`,
      key: keyOf(put.key),
      ...(put.stored ? { source } : {}),
    });
  } catch (err) {
    // As flytepropeller: a failed put does not fail a task that succeeded; the node says why.
    setCache(ctx, { status: "PUT_FAILURE", reason: `cache put failed: ${err instanceof Error ? err.message : String(err)}` });
  }
  await cacheRelease(ctx, task);
}

export async function cacheRelease(ctx: ActionContext, task: core.TaskTemplate): Promise<void> {
  if (!cacheEnabled(ctx, task) || !ctx.action.scratch.reserved) return;
  ctx.action.scratch.reserved = false;
  await ctx.services.catalog!.release(task, await ctx.inputs(), ctx.action.key);
}
