import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localCatalog, runTaskTree } from "@aloft/sdk";
import { search } from "./hpo.ts";

describe("Flyte 2 hyperparameter search example", () => {
  it("trains every rate as a child action, retries out-of-memory trials with a smaller batch, picks the best", async () => {
    const r = await runTaskTree(search, { rates: [0.01, 0.5, 1.5], batch: 256, epochs: 200, samples: 200 });
    expect(r.outputs.trials).toBe(3);
    expect(r.outputs.batch).toBe(128);
    expect(r.outputs.weight).toBeCloseTo(3, 1);
    expect([0.5, 1.5]).toContain(r.outputs.rate);
    const calls = r.nodes.filter((n) => n.kind === "call");
    // Each rate: one out-of-memory attempt (a user error, not retried), then the override.
    expect(calls.filter((c) => c.phase === "FAILED")).toHaveLength(3);
    expect(calls.filter((c) => c.phase === "SUCCEEDED")).toHaveLength(3);
    expect(r.nodes.filter((n) => n.kind === "trace")).toHaveLength(1);
  });

  it("serves trials from the cache on a second search", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aloft-hpo-"));
    try {
      const inputs = { rates: [0.5, 1], batch: 64, epochs: 50, samples: 100 };
      await runTaskTree(search, inputs, { catalog: localCatalog(dir) });
      const again = await runTaskTree(search, inputs, { catalog: localCatalog(dir) });
      const statuses = again.nodes.filter((n) => n.kind === "call").map((c) => (c.state as { cache?: { status: string } }).cache?.status);
      expect(statuses).toEqual(["HIT", "HIT"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
