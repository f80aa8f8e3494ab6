import { describe, expect, it } from "vitest";
import { runWorkflow } from "../local/run.ts";
import { task } from "../task.ts";
import { workflow } from "../workflow.ts";
import { MemoryBlobs } from "../local/memory-store.ts";
import { blobIO } from "../runtime/blob-io.ts";
import { t } from "./t.ts";

const ctx = { blobs: blobIO(new MemoryBlobs()), rawOutputPrefix: "memory://raw", scratchDir: "/tmp" };

describe("Flyte integers", () => {
  it("t.int refuses integers beyond ±2^53 instead of rounding them", async () => {
    await expect(t.int().toLiteral(2 ** 53 + 2, ctx, "x")).rejects.toThrow(/beyond ±2\^53/);
    expect(() => t.int().parse("9007199254740993", "x")).toThrow(/beyond ±2\^53/);
  });

  it("t.int64 carries the whole int64 range as bigint, exactly", async () => {
    const s = t.int64();
    for (const v of [2n ** 63n - 1n, -(2n ** 63n), 9007199254740993n, 0n]) {
      expect(await s.fromLiteral(await s.toLiteral(v, ctx, "x"), ctx, "x")).toBe(v);
      expect(s.fromJson(s.toJson(v), "x")).toBe(v);
    }
    expect(s.toJson(9007199254740993n)).toBe("9007199254740993");
    expect(s.toJson(42n)).toBe(42);
    expect(s.parse("-9223372036854775808", "x")).toBe(-(2n ** 63n));
    expect(() => s.parse("9223372036854775808", "x")).toThrow(/does not fit in int64/);
    expect(s.check(5, "x")).toMatch(/expected a bigint/);
    // The same Flyte type as t.int(): a number-typed int literal reads back as a bigint.
    expect(await s.fromLiteral(await t.int().toLiteral(7, ctx, "x"), ctx, "x")).toBe(7n);
  });

  it("runs a workflow passing an int64 beyond 2^53 between tasks", async () => {
    const next = task({ name: "int64-next", inputs: { id: t.int64() }, outputs: t.int64() }, ({ id }) => id + 1n);
    const wf = workflow({ name: "int64-wf", inputs: { id: t.int64() }, outputs: t.int64() }, ({ id }) => next({ id: next({ id }) }));
    const r = await runWorkflow(wf, { id: 2n ** 62n + 1n });
    expect(r.outputs).toBe(2n ** 62n + 3n);
  });
});
