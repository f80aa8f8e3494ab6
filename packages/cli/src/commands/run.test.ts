import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../main.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../../..");
const flows = "packages/cli/src/commands/testdata/flows.ts";

/** Runs `aloft <argv>` in-process, capturing what it prints. */
async function aloft(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("aloft run", () => {
  const cwd = process.cwd();
  afterEach(() => process.chdir(cwd));

  it("runs a workflow with typed inputs and defaults, printing outputs", async () => {
    process.chdir(root);
    const r = await aloft("run", flows, "sum", "--a", "5", "--tags", '["x","y"]');
    expect(r.err).toContain("✓ n0");
    expect(r.out).toBe("total (integer): 15\n");
    expect(r.code).toBe(0);
    const j = await aloft("run", "--json", flows, "sum", "--a=1", "--b", "2", "--tags", "[]", "--when", "2024-05-01T00:00:00Z");
    expect(JSON.parse(j.out)).toEqual({ total: 3 });
  });

  it("names the input of the wrong type", async () => {
    process.chdir(root);
    const r = await aloft("run", flows, "sum", "--a", "five", "--tags", "[]");
    expect(r.code).toBe(2);
    expect(r.err).toContain('input --a: expected an integer, got "five" (type integer)');
    expect(r.err).toContain("--b integer (default 10)");
    expect(r.err).not.toContain("    at ");
  });

  it("names missing and unknown inputs", async () => {
    process.chdir(root);
    const missing = await aloft("run", flows, "sum", "--a", "1");
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("missing input: --tags (list<string>)");
    const unknown = await aloft("run", flows, "sum", "--a", "1", "--tags", "[]", "--c", "1");
    expect(unknown.err).toContain("unknown input --c (inputs: --a, --b, --tags, --when)");
  });

  it("lists the workflows when the name is unknown", async () => {
    process.chdir(root);
    const r = await aloft("run", flows, "nope");
    expect(r.code).toBe(2);
    expect(r.err).toContain(`no workflow named "nope" in ${flows} (workflows in ${flows}: sum, broken, cached, weekly)`);
    const task = await aloft("run", flows, "add");
    expect(task.err).toContain('"add" in');
    expect(task.err).toContain("is a task, not a workflow");
  });

  it("reports a task that throws with its node and message, and the stack only with --verbose", async () => {
    process.chdir(root);
    const r = await aloft("run", "--quiet", flows, "broken", "--why", "disk full");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/failed at node n0: RangeError: cannot continue: disk full/);
    expect(r.err).not.toContain("    at ");
    const v = await aloft("run", "--quiet", flows, "broken", "--why", "disk full", "--verbose");
    expect(v.err).toContain("    at ");
  });

  it("refuses files that are missing or not modules", async () => {
    process.chdir(root);
    const missing = await aloft("run", "nowhere.ts", "wf");
    expect(missing.err).toContain("file not found: nowhere.ts");
    const bad = await aloft("run", "packages/cli/src/commands/testdata/not-a-module.js", "wf");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("cannot load packages/cli/src/commands/testdata/not-a-module.js");
    const readme = await aloft("run", "README.md", "wf");
    expect(readme.err).toContain("README.md is not a TypeScript or JavaScript module");
  });

  it("reuses cached task outputs from the local cache unless --no-cache", async () => {
    process.chdir(root);
    const store = await mkdtemp(join(tmpdir(), "aloft-cli-cache-"));
    const { executions } = (await import("./testdata/flows.ts")) as { executions: { slowSquare: number } };
    const before = executions.slowSquare;
    const first = await aloft("run", "--store-dir", store, flows, "cached", "--n", "7");
    expect(first.out).toBe("o0 (integer): 49\n");
    expect(first.err).toMatch(/✓ n0 slowSquare \d+ms/);
    const second = await aloft("run", "--store-dir", store, flows, "cached", "--n", "7");
    expect(second.out).toBe("o0 (integer): 49\n");
    expect(second.err).toContain("✓ n0 slowSquare cache hit");
    expect(executions.slowSquare - before).toBe(1);
    await aloft("run", "--no-cache", "--store-dir", store, flows, "cached", "--n", "7");
    expect(executions.slowSquare - before).toBe(2);
  });

  it("runs a launch plan with its fixed and default inputs, refusing to override a fixed one", async () => {
    process.chdir(root);
    const r = await aloft("run", "--quiet", flows, "weekly", "--a", "1");
    expect(r.out).toBe("total (integer): 101\n");
    const bad = await aloft("run", flows, "weekly", "--a", "1", "--b", "2");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('input --b is fixed by launch plan "weekly"');
  });

  it("exits non-zero from the real binary", async () => {
    const bin = resolve(root, "packages/cli/bin/aloft.js");
    const err = await promisify(execFile)(process.execPath, [bin, "run", flows, "sum", "--a", "x"], { cwd: root }).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain("input --a: expected an integer");
  }, 30_000);
});
