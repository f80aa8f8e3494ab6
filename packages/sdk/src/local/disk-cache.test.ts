import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DiskCatalogStorage, localCatalog } from "./disk-cache.ts";
import { runWorkflow } from "./run.ts";
import { task } from "../task.ts";
import { workflow } from "../workflow.ts";
import { t } from "../types/t.ts";
import { FlyteFile } from "../types/file.ts";

describe("local on-disk cache", () => {
  it("skips a cached task on the next run with the same inputs, across catalog instances", async () => {
    const dir = await mkdtemp(join(tmpdir(), "aloft-cache-"));
    let calls = 0;
    const slow = task({ name: "cache.slow", inputs: { n: t.int() }, outputs: { doubled: t.int(), report: t.file("txt") }, cache: { version: "1" } }, ({ n }) => {
      calls++;
      return { doubled: 2 * n, report: FlyteFile.fromBytes(`n=${n}`, "report.txt") };
    });
    const wf = workflow({ name: "cache.wf", inputs: { n: t.int() }, outputs: { doubled: t.int(), report: t.file("txt") } }, ({ n }) => slow({ n }));
    const opts = () => ({ storeDir: join(dir, "data"), catalog: localCatalog(join(dir, "catalog")) });

    expect((await runWorkflow(wf, { n: 4 }, opts())).outputs.doubled).toBe(8);
    const again = await runWorkflow(wf, { n: 4 }, opts());
    expect(calls).toBe(1);
    expect(again.outputs.doubled).toBe(8);
    // The cached file output still points at readable data.
    expect(await again.outputs.report.text()).toBe("n=4");

    await runWorkflow(wf, { n: 5 }, opts());
    expect(calls).toBe(2);
  });

  it("misses when the cache version changes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "aloft-cache-"));
    let calls = 0;
    const make = (version: string) =>
      task({ name: "cache.versioned", inputs: { n: t.int() }, outputs: t.int(), cache: { version } }, ({ n }) => {
        calls++;
        return n;
      });
    for (const v of ["1", "1", "2"]) {
      const tk = make(v);
      await runWorkflow(workflow({ name: "cache.versioned-wf", outputs: t.int() }, () => tk({ n: 1 })), {}, { storeDir: join(dir, "data"), catalog: localCatalog(join(dir, "catalog")) });
    }
    expect(calls).toBe(2);
  });

  it("lists a task's recent entries newest first, kept in step with puts and deletes, as a fresh reader sees them", async () => {
    const dir = await mkdtemp(join(tmpdir(), "aloft-cache-"));
    const s = new DiskCatalogStorage(dir);
    const key = (n: number) => ({ task: "p/d/recent", version: "1", signature: "sig", inputs: `in${n}`, inputHashes: {} });
    const entry = (n: number, at: number) => ({ key: key(n), outputs: new Uint8Array([n]), sourceExecution: "e", sourceAction: `e/${n}`, createdAt: at });
    await s.put(entry(1, 100), false);
    expect((await s.recent("p/d/recent", 5)).map((k) => k.inputs)).toEqual(["in1"]);
    await s.put(entry(2, 300), false);
    await s.put(entry(3, 200), false);
    await s.put(entry(1, 400), true);
    await s.delete(key(3));
    expect((await s.recent("p/d/recent", 5)).map((k) => k.inputs)).toEqual(["in1", "in2"]);
    expect((await new DiskCatalogStorage(dir).recent("p/d/recent", 5)).map((k) => k.inputs)).toEqual(["in1", "in2"]);
  });
});
