import { describe, expect, it } from "vitest";
import { StoreFaultError } from "@aloft/engine";
import { checkReadiness } from "./readiness.ts";

const up = { ping: async () => {} };

describe("checkReadiness", () => {
  it("is ready when started, not paused and the database answers", async () => {
    expect(await checkReadiness({ db: up, engine: { pausedBy: undefined }, startError: undefined })).toBeUndefined();
  });

  it("names a paused engine's store fault, with its retry hint", async () => {
    const fault = new StoreFaultError("RESOURCE_EXHAUSTED", "blob store", "is out of space", 5000);
    expect(await checkReadiness({ db: up, engine: { pausedBy: fault }, startError: undefined })).toEqual({ reason: "engine paused: blob store is out of space; retry in 5 s", retryAfterSeconds: 5 });
  });

  it("asks the database and reports it unreachable", async () => {
    const down = { ping: async () => Promise.reject(new StoreFaultError("UNAVAILABLE", "database", "is unreachable (connection refused)", 1000)) };
    expect(await checkReadiness({ db: down, engine: { pausedBy: undefined }, startError: undefined })).toEqual({ reason: "database is unreachable (connection refused); retry in 1 s", retryAfterSeconds: 1 });
  });

  it("says the server is starting, or that start-up failed", async () => {
    expect((await checkReadiness({ db: undefined, engine: undefined, startError: undefined }))?.reason).toMatch(/^starting/);
    expect((await checkReadiness({ db: undefined, engine: undefined, startError: new Error("migration 7 failed") }))?.reason).toBe("start-up failed: migration 7 failed");
  });
});
