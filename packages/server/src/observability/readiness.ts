// Whether the server can serve now: started, the engine not paused on a store fault, the database answering.
import { isStoreFault, type Database, type Engine } from "@aloft/engine";
import type { Unready } from "./health-route.ts";

export interface ReadinessState {
  db: Pick<Database, "ping"> | undefined;
  engine: Pick<Engine, "pausedBy"> | undefined;
  /** Set when start-up failed: the server will not become ready by itself. */
  startError: unknown;
}

const PING_TIMEOUT_MS = 1000;

export async function checkReadiness(state: ReadinessState): Promise<Unready | undefined> {
  if (state.startError !== undefined) return { reason: `start-up failed: ${(state.startError as Error)?.message ?? String(state.startError)}`, retryAfterSeconds: 30 };
  if (!state.db || !state.engine) return { reason: "starting: the database and engine are not up yet", retryAfterSeconds: 1 };
  const paused = state.engine.pausedBy;
  if (paused) return { reason: `engine paused: ${paused.message}`, retryAfterSeconds: Math.max(1, Math.ceil(paused.retryAfterMs / 1000)) };
  try {
    // A statement, not a flag: with no traffic, nothing else would notice the database going away.
    await state.db.ping(PING_TIMEOUT_MS);
  } catch (e) {
    if (isStoreFault(e)) return { reason: e.message, retryAfterSeconds: Math.max(1, Math.ceil(e.retryAfterMs / 1000)) };
    return { reason: `database check failed: ${(e as Error).message}`, retryAfterSeconds: 1 };
  }
  return undefined;
}
