// The cache on the user's path: `aloft start` (in process, with the TypeScript task plugin), `aloft run --remote`
// of a cached task twice, `aloft get nodes` and `aloft logs` showing the hit.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig, startAloft, type Aloft } from "@aloft/server";
import type { CommandIO } from "../../src/command.ts";
import { run } from "../../src/commands/run.ts";
import { get } from "../../src/commands/get.ts";
import { logs } from "../../src/commands/logs.ts";
import { typescriptTaskPlugin } from "../../src/remote/typescript-plugin.ts";

const flowFile = fileURLToPath(new URL("./testdata/cached-flow.ts", import.meta.url));
let aloft: Aloft;
let dir: string;
let endpoint: string;

function captureIO(): CommandIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), verbose: false };
}

/** `aloft run --remote`; returns the execution name and the printed outputs. */
async function runRemote(x: number): Promise<{ name: string; out: string; progress: string }> {
  const io = captureIO();
  const code = await run.run(["--remote", flowFile, "cachedFlow", "--endpoint", endpoint, "--x", String(x)], io);
  expect(code, io.stderr.join("\n")).toBe(0);
  const name = /execution (\S+) started/.exec(io.stderr.join("\n"))![1]!;
  return { name, out: io.stdout.join("\n"), progress: io.stderr.join("\n") };
}

async function nodesTable(name: string): Promise<string> {
  const io = captureIO();
  expect(await get.run(["nodes", name, "--endpoint", endpoint], io)).toBe(0);
  return io.stdout.join("\n");
}

beforeAll(async () => {
  // The code bundle is imported by Node itself (outside Vitest's transform), as under the `aloft` binary.
  const { register: registerTsx } = await import("tsx/esm/api");
  registerTsx();
  dir = mkdtempSync(join(tmpdir(), "aloft-cache-"));
  aloft = await startAloft({ ...defaultConfig(), port: 0, dataDir: dir, logLevel: "silent" }, { plugins: [typescriptTaskPlugin({ workers: 1 })] });
  endpoint = aloft.server.url;
  await aloft.ready;
});
afterAll(async () => {
  await aloft?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the server's cache through the CLI", () => {
  it("serves the second remote run of a cached task from the cache, and get nodes and logs say so", async () => {
    const first = await runRemote(3);
    const second = await runRemote(3);
    expect(second.out).toBe(first.out);
    expect(second.progress).toMatch(/n0: SUCCEEDED \(cache hit\)/);
    expect(first.progress).not.toMatch(/cache hit/);
    expect(await nodesTable(first.name)).toMatch(/^n0\s+SUCCEEDED\s.*\sPOPULATED$/m);
    expect(await nodesTable(second.name)).toMatch(/^n0\s+SUCCEEDED\s.*\sHIT$/m);
    const io = captureIO();
    expect(await logs.run([second.name, "--endpoint", endpoint], io)).toBe(0);
    expect(io.stdout.join("\n")).toMatch(/node n0: SUCCEEDED .*cache HIT/);
  });
});
