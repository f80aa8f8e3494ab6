// The `aloft` binary as installed: compiled at install (build.mjs) and run from dist/ while the sources are
// unchanged, from the sources (under tsx) otherwise, with the same results either way.
import { execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain JavaScript, without declarations
import { compiledIsCurrent } from "../../bin/compiled.js";

const execFileAsync = promisify(execFile);
const cliDir = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(cliDir, "bin/aloft.js");
const flows = fileURLToPath(new URL("../../src/commands/testdata/flows.ts", import.meta.url));
const aloft = (args: string[], env: Record<string, string> = {}) =>
  execFileAsync(process.execPath, [bin, ...args], { env: { ...process.env, ALOFT_FROM_SOURCE: "", ...env } });

beforeAll(async () => {
  // A checkout whose sources changed since `npm ci` is compiled again, so the compiled path is what is tested.
  if (!compiledIsCurrent(cliDir)) await execFileAsync(process.execPath, [join(cliDir, "build.mjs"), "--quiet"]);
}, 120_000);

describe("the aloft binary", () => {
  it("runs the compiled CLI, and the sources when ALOFT_FROM_SOURCE=1", async () => {
    expect((await aloft(["--version"])).stdout.trim()).toMatch(/^aloft \d+\.\d+\.\d+ \(compiled\)$/);
    expect((await aloft(["--version"], { ALOFT_FROM_SOURCE: "1" })).stdout.trim()).toMatch(/^aloft \d+\.\d+\.\d+ \(from sources/);
  });

  it("prints its help, listing every command", async () => {
    const { stdout } = await aloft(["--help"]);
    for (const c of ["run", "start", "register", "get", "launch", "launchplan", "terminate", "relaunch", "recover", "logs", "cache"]) {
      expect(stdout).toMatch(new RegExp(`^  ${c} +\\S`, "m"));
    }
  });

  it("runs a workflow file locally, compiled and from the sources alike", async () => {
    const args = ["run", "--no-cache", flows, "sum", "--a", "1", "--tags", "[]"];
    const compiled = await aloft(args);
    expect(compiled.stdout.trim()).toBe("total (integer): 11");
    expect(compiled.stderr).toContain("n0 add");
    const sources = await aloft(args, { ALOFT_FROM_SOURCE: "1" });
    expect(sources.stdout).toBe(compiled.stdout);
  }, 60_000);
});

describe("compiledIsCurrent", () => {
  it("holds while every input keeps its modification time, and not after a change or without a build", () => {
    const dir = mkdtempSync(join(tmpdir(), "aloft-compiled-")) + "/";
    try {
      expect(compiledIsCurrent(dir, {})).toBe(false);
      mkdirSync(join(dir, "dist"));
      writeFileSync(join(dir, "a.ts"), "export {}");
      utimesSync(join(dir, "a.ts"), 1000, 1000);
      writeFileSync(join(dir, "dist/inputs.json"), JSON.stringify({ inputs: { "a.ts": 1_000_000 } }));
      expect(compiledIsCurrent(dir, {})).toBe(true);
      expect(compiledIsCurrent(dir, { ALOFT_FROM_SOURCE: "1" })).toBe(false);
      utimesSync(join(dir, "a.ts"), 2000, 2000);
      expect(compiledIsCurrent(dir, {})).toBe(false);
      rmSync(join(dir, "a.ts"));
      expect(compiledIsCurrent(dir, {})).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
