// The cache on the user's path: `aloft start` (in process, with the TypeScript task plugin), `aloft run --remote`
// of a cached task twice, `aloft get nodes` and `aloft logs` showing the hit.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { admin, core, lit, service } from "@aloft/idl";
import { defaultConfig, startAloft, type Aloft } from "@aloft/server";
import type { CommandIO } from "../../src/command.ts";
import { run } from "../../src/commands/run.ts";
import { get } from "../../src/commands/get.ts";
import { logs } from "../../src/commands/logs.ts";
import { register } from "../../src/commands/register.ts";
import { cache } from "../../src/commands/cache.ts";
import { typescriptTaskPlugin } from "../../src/remote/typescript-plugin.ts";

const flowFile = fileURLToPath(new URL("./testdata/cached-flow.ts", import.meta.url));
let aloft: Aloft;
let dir: string;
let endpoint: string;
let grpc: Client<typeof service.AdminService>;

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
  grpc = createClient(service.AdminService, createGrpcTransport({ baseUrl: endpoint }));
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
    expect(second.progress).toMatch(/n0 stamp: SUCCEEDED \(cache hit\)/);
    expect(first.progress).not.toMatch(/cache hit/);
    expect(await nodesTable(first.name)).toMatch(/^n0\s+SUCCEEDED\s.*\sPOPULATED$/m);
    expect(await nodesTable(second.name)).toMatch(/^n0\s+SUCCEEDED\s.*\sHIT$/m);
    const io = captureIO();
    expect(await logs.run([second.name, "--endpoint", endpoint], io)).toBe(0);
    expect(io.stdout.join("\n")).toMatch(/node n0: SUCCEEDED .*cache HIT/);
  });
});

const scope = { project: "flytesnacks", domain: "development" };

/** Launches the registered workflow ending in `workflow` over gRPC, as FlyteRemote does, and waits for it. */
async function launchAndWait(workflow: string, x: number, spec: { overwriteCache?: boolean } = {}): Promise<{ name: string; v: number; cache: string }> {
  const lps = await grpc.listLaunchPlans({ id: scope, limit: 100, sortBy: { key: "created_at", direction: admin.Sort_Direction.DESCENDING } });
  const lp = lps.launchPlans.find((l) => l.id!.name.endsWith(workflow))!;
  const res = await grpc.createExecution({ ...scope, spec: { launchPlan: lp.id, ...spec }, inputs: { literals: { x: lit.integer(x) } } });
  const id = res.id!;
  for (let i = 0; ; i++) {
    const ex = await grpc.getExecution({ id });
    if (ex.closure!.phase === core.WorkflowExecution_Phase.SUCCEEDED) break;
    if (ex.closure!.phase === core.WorkflowExecution_Phase.FAILED || i > 600) throw new Error(`execution ${id.name} did not succeed`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const data = await grpc.getExecutionData({ id });
  const v = data.fullOutputs!.literals.v!.value;
  const node = await grpc.getNodeExecution({ id: { nodeId: "n0", executionId: id } });
  const meta = node.closure?.targetMetadata.case === "taskNodeMetadata" ? node.closure.targetMetadata.value : undefined;
  return {
    name: id.name,
    v: v.case === "scalar" && v.value.value.case === "primitive" && v.value.value.value.value.case === "floatValue" ? v.value.value.value.value.value : NaN,
    cache: core.CatalogCacheStatus[meta?.cacheStatus ?? 0] ?? "",
  };
}

describe("overwrite_cache and cache serialisation on the server", () => {
  beforeAll(async () => {
    const io = captureIO();
    expect(await register.run(["--endpoint", endpoint, "--version", "c1", flowFile], io), io.stderr.join("\n")).toBe(0);
  });

  it("runs the task again under overwrite_cache and later executions hit the new entry", async () => {
    const first = await launchAndWait("cachedFlow", 11);
    expect(first.cache).toBe("CACHE_POPULATED");
    const over = await launchAndWait("cachedFlow", 11, { overwriteCache: true });
    expect(over.cache).toBe("CACHE_POPULATED");
    expect(over.v).not.toBe(first.v);
    const after = await launchAndWait("cachedFlow", 11);
    expect(after).toMatchObject({ cache: "CACHE_HIT", v: over.v });
  });

  it("runs a cache-serializable task once for two concurrent executions with the same inputs", async () => {
    const [a, b] = await Promise.all([launchAndWait("serializedFlow", 5), launchAndWait("serializedFlow", 5)]);
    expect(a.v).toBe(b.v);
    expect([a.cache, b.cache].sort()).toEqual(["CACHE_HIT", "CACHE_POPULATED"]);
  });
});

describe("aloft cache explain and evict against the server", () => {
  async function aloftCache(...argv: string[]) {
    const io = captureIO();
    const code = await cache.run([...argv, "--endpoint", endpoint], io);
    return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
  }

  it("explains a hit and a miss, and an evicted entry is computed again", async () => {
    const first = await runRemote(21);
    const hit = await runRemote(21);
    expect(hit.out).toBe(first.out);
    let r = await aloftCache("explain", hit.name, "n0");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`node n0 of ${hit.name}: cache HIT`);
    expect(r.out).toMatch(/task: +flytesnacks\/development\/.*stamp/);
    expect(r.out).toContain(`now: hit, cached by ${first.name} node n0 attempt 0`);
    r = await aloftCache("evict", hit.name, "n0");
    expect(r.out).toMatch(/^evicted the cache entry of n0/);
    r = await aloftCache("explain", hit.name, "n0");
    expect(r.out).toMatch(/^now: miss: (no entry for this task|input `x` changed)$/m);
    const again = await runRemote(21);
    expect(again.out).not.toBe(first.out);
    expect(await nodesTable(again.name)).toMatch(/^n0\s+SUCCEEDED\s.*\sPOPULATED$/m);
    expect((await aloftCache("evict", "nope", "n0").catch((e: Error) => ({ code: 1, out: "", err: e.message }))).code).not.toBe(0);
  });

  it("names a node that is not a cached task node", async () => {
    const first = await runRemote(22);
    await expect(aloftCache("explain", first.name, "n9")).rejects.toThrow();
    await expect(aloftCache("explain", first.name)).rejects.toThrow(/Usage: aloft cache/);
  });
});

describe("aloft run --cache remote: one cache for the laptop and the server", () => {
  /** `aloft run` locally (a fresh store, so nothing comes from the local disk cache) with the given cache mode. */
  async function runLocal(mode: string, x: number): Promise<{ v: number; progress: string }> {
    const io = captureIO();
    const store = mkdtempSync(join(dir, "local-"));
    const code = await run.run(["--cache", mode, "--store-dir", store, flowFile, "cachedFlow", "--x", String(x), "--endpoint", endpoint], io);
    expect(code, io.stderr.join("\n")).toBe(0);
    return { v: Number(/^v \(float\): (.*)$/m.exec(io.stdout.join("\n"))![1]), progress: io.stderr.join("\n") };
  }
  const remoteValue = (out: string) => Number(/^v: (.*)$/m.exec(out)![1]);

  it("hits locally on what the server computed, and on the server on what the laptop wrote", async () => {
    const server = await runRemote(31);
    const local = await runLocal("remote", 31);
    expect(local.v).toBe(remoteValue(server.out));
    expect(local.progress).toMatch(/✓ n0 stamp cache hit/);

    const laptop = await runLocal("remote-write", 32);
    expect(laptop.progress).not.toMatch(/cache hit/);
    const onServer = await runRemote(32);
    expect(remoteValue(onServer.out)).toBe(laptop.v);
    expect(await nodesTable(onServer.name)).toMatch(/^n0\s+SUCCEEDED\s.*\sHIT$/m);
  });

  it("reads but does not write the server's cache with --cache remote", async () => {
    const laptop = await runLocal("remote", 33);
    const onServer = await runRemote(33);
    expect(remoteValue(onServer.out)).not.toBe(laptop.v);
    expect(await nodesTable(onServer.name)).toMatch(/^n0\s+SUCCEEDED\s.*\sPOPULATED$/m);
  });
});
