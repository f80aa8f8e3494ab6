// The task handler's use of the data catalog: lookup before the first attempt (recording why it hit
// or missed), serialisation through reservations, put after success.
import type { core } from "@aloft/idl";
import type { ActionContext } from "./handler.ts";

// A reservation not refreshed within this time belongs to a dead owner and may be taken over.
const RESERVATION_TTL_MS = 30_000;
const RESERVATION_RETRY_MS = 250;

interface CacheState {
  cache?: { status: "HIT" | "MISS" | "DISABLED" | "OVERWRITE"; reason: string };
}

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
      ctx.setState({ ...a.rec.state, cache: { status: "OVERWRITE", reason: "overwrite_cache requested: run and replace" } });
    } else {
      const found = await catalog.lookup(task, inputs);
      if (found.hit && found.outputs) {
        ctx.setState({ ...a.rec.state, cache: { status: "HIT", reason: found.reason } });
        await ctx.succeed(found.outputs, undefined, found.outputsBytes);
        return "done";
      }
      ctx.setState({ ...a.rec.state, cache: { status: "MISS", reason: found.reason } });
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

export async function cacheAfterSuccess(ctx: ActionContext, task: core.TaskTemplate, outputs: core.LiteralMap): Promise<void> {
  if (!cacheEnabled(ctx, task)) return;
  const catalog = ctx.services.catalog!;
  const inputs = await ctx.inputs();
  const overwrite = ctx.execution.rec.options.overwriteCache === true;
  await catalog.put(task, inputs, outputs, { execution: ctx.action.rec.execution, action: ctx.action.key }, overwrite);
  await cacheRelease(ctx, task);
}

export async function cacheRelease(ctx: ActionContext, task: core.TaskTemplate): Promise<void> {
  if (!cacheEnabled(ctx, task) || !ctx.action.scratch.reserved) return;
  ctx.action.scratch.reserved = false;
  await ctx.services.catalog!.release(task, await ctx.inputs(), ctx.action.key);
}
