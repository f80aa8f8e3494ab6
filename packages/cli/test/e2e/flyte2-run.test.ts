// `aloft run` of a Flyte 2 task, as a user runs it: the real CLI process, the example's search task, its outputs
// and its action tree (the task's node, its trace, each trial a child action), JSON included.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const execFileAsync = promisify(execFile);
const bin = fileURLToPath(new URL("../../bin/aloft.js", import.meta.url));
const root = fileURLToPath(new URL("../../../../", import.meta.url));
const store = mkdtempSync(join(tmpdir(), "aloft-flyte2-run-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

const aloft = (...argv: string[]) => execFileAsync(process.execPath, [bin, ...argv], { cwd: root, timeout: 60_000 });

describe("aloft run of a Flyte 2 task", () => {
  it("runs the search locally, printing its outputs and its action tree", async () => {
    const { stdout, stderr } = await aloft("run", "--nodes", "--no-cache", "--store-dir", store, "examples/flyte2/hpo.ts", "search", "--rates", "[0.5,1]", "--batch", "256", "--epochs", "50", "--samples", "80");
    expect(stdout).toContain("batch (integer): 128");
    expect(stdout).toContain("trials (integer): 2");
    expect(stderr).toContain("makeData");
    expect(stderr).toMatch(/✗ n0-0-[0-9a-z]{25} trials\/hpo\.train .*OutOfMemory: batch 256 does not fit in memory/);
    const tree = stdout.split("\n").filter((l) => /^n0-0-/.test(l));
    // Two out-of-memory trials, two retried with the override, one trace.
    expect(tree.filter((l) => /train\s+FAILED/.test(l))).toHaveLength(2);
    expect(tree.filter((l) => /train\s+SUCCEEDED/.test(l))).toHaveLength(2);
    expect(tree).toHaveLength(5);
  }, 60_000);

  it("prints JSON outputs and names a wrong input", async () => {
    const { stdout } = await aloft("run", "--json", "--no-cache", "--store-dir", store, "examples/flyte2/hpo.ts", "search", "--rates", "[0.5]", "--batch", "32", "--epochs", "20", "--samples", "40");
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({ rate: 0.5, batch: 32, trials: 1 });
    const bad = await aloft("run", "--store-dir", store, "examples/flyte2/hpo.ts", "search", "--rates", "fast").then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("input --rates");
  }, 60_000);
});
