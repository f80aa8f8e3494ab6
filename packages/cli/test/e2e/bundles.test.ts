// Code bundles on the server, through the commands a user types: `aloft run --remote` and `aloft register` +
// `aloft launch` against `aloft start` (in process, with the TypeScript task plugin). Dynamic workflows (whose
// sub-tasks are serialized at run time, inside the server's worker pool) and workflows whose tasks are defined in
// other modules must give the outputs a local `aloft run` gives.
import { execFile } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { service } from "@aloft/idl";
import { launch } from "../../src/commands/launch.ts";
import { register } from "../../src/commands/register.ts";
import { run } from "../../src/commands/run.ts";
import { captureIO, startTestServer, type TestServer } from "../server.ts";

const execFileAsync = promisify(execFile);
let server: TestServer;
let dir: string;
let endpoint: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ dir, endpoint } = server);
});
afterAll(() => server?.close());

/** Outputs of a local `aloft run --json`, and of `aloft run --remote` of the same workflow. */
async function localAndRemote(file: string, workflow: string, inputs: string[]): Promise<{ local: Record<string, unknown>; remote: string }> {
  const local = captureIO();
  expect(await run.run(["--json", "--quiet", "--store-dir", join(dir, "local"), "--no-cache", file, workflow, ...inputs], local)).toBe(0);
  const remote = captureIO();
  const code = await run.run(["--remote", file, workflow, ...inputs, "--endpoint", endpoint], remote);
  expect(code, remote.stderr.join("\n")).toBe(0);
  return { local: JSON.parse(local.stdout.join("")) as Record<string, unknown>, remote: remote.stdout.join("\n") };
}

/** The outputs `aloft run --remote` / `aloft launch --wait` print (one `name: <json>` line each) equal the local ones. */
function expectSameOutputs(local: Record<string, unknown>, remote: string): void {
  const printed = Object.fromEntries(
    remote
      .split("\n")
      .map((l) => /^\s*(\w+): (.*)$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => [m[1]!, JSON.parse(m[2]!) as unknown]),
  );
  expect(printed).toEqual(local);
}

describe("code bundles on the server", () => {
  it("runs a dynamic workflow with aloft run --remote, with the outputs of a local run", async () => {
    const { local, remote } = await localAndRemote("examples/dynamic/dynamic.ts", "tune", ["--epochs", "[10,100]"]);
    expect(local.tried).toBe(6);
    expectSameOutputs(local, remote);
  });

  it("runs a workflow whose tasks are imported from other modules, dynamic sub-tasks included", async () => {
    const { local, remote } = await localAndRemote("examples/multi-file/schedule.ts", "orderValue", ["--count", "9", "--batchSize", "4"]);
    expect(local.batches).toBe(3);
    expect(Math.abs((local.total as number) - (local.check as number))).toBeLessThan(0.05);
    expectSameOutputs(local, remote);
  });

  it("registers a multi-file project and launches it with aloft launch", async () => {
    const io = captureIO();
    expect(await register.run(["--endpoint", endpoint, "--version", "mf1", "examples/multi-file/schedule.ts"], io)).toBe(0);
    const out = captureIO();
    expect(await launch.run(["--endpoint", endpoint, "--version", "mf1", "--wait", "examples.multi-file.schedule.orderValue", "--count", "5", "--batchSize", "2"], out), out.stderr.join("\n")).toBe(0);
    const local = captureIO();
    expect(await run.run(["--json", "--quiet", "--store-dir", join(dir, "local"), "--no-cache", "examples/multi-file/schedule.ts", "orderValue", "--count", "5", "--batchSize", "2"], local)).toBe(0);
    expectSameOutputs(JSON.parse(local.stdout.join("")) as Record<string, unknown>, out.stdout.join("\n"));
  });
});

describe("tasks from an npm dependency", () => {
  // An installed package (a real directory under node_modules, not a workspace link) that defines tasks, and a
  // project file whose workflow and dynamic task call them. Written at test time: nothing is published.
  const pkg = "node_modules/aloft-e2e-npm-tasks";
  const flow = ".tmp/bundles-e2e/npm-flow.ts";
  beforeAll(() => {
    mkdirSync(pkg, { recursive: true });
    writeFileSync(`${pkg}/package.json`, JSON.stringify({ name: "aloft-e2e-npm-tasks", version: "1.0.0", type: "module", exports: "./index.js" }));
    writeFileSync(
      `${pkg}/index.js`,
      `import { t, task } from "@aloft/sdk";\nexport const shout = task({ inputs: { s: t.string() }, outputs: t.string() }, ({ s }) => s.toUpperCase() + "!");\n`,
    );
    mkdirSync(".tmp/bundles-e2e", { recursive: true });
    writeFileSync(
      flow,
      [
        `import { dynamic, t, workflow } from "@aloft/sdk";`,
        `import { shout } from "aloft-e2e-npm-tasks";`,
        `export const shoutAll = dynamic({ inputs: { words: t.list(t.string()) }, outputs: t.list(t.string()) }, ({ words }) => words.map((s) => shout({ s })));`,
        `export const loud = workflow({ inputs: { words: t.list(t.string()) }, outputs: { first: t.string(), all: t.list(t.string()) } }, ({ words }) => ({ first: shout({ s: "hey" }), all: shoutAll({ words }) }));`,
      ].join("\n"),
    );
  });
  afterAll(() => {
    rmSync(pkg, { recursive: true, force: true });
    rmSync(".tmp/bundles-e2e", { recursive: true, force: true });
  });

  // Through the `aloft` binary: under Vitest an installed package would import its own copy of the SDK.
  const aloftBin = async (args: string[]) => (await execFileAsync(process.execPath, ["packages/cli/bin/aloft.js", ...args], { env: { ...process.env, ALOFT_ENDPOINT: endpoint } })).stdout;

  it("runs them remotely, statically and from a dynamic task, with the outputs of a local run", async () => {
    const local = JSON.parse(await aloftBin(["run", "--json", "--quiet", "--no-cache", "--store-dir", join(dir, "local"), flow, "loud", "--words", '["a","b"]'])) as Record<string, unknown>;
    expect(local).toEqual({ first: "HEY!", all: ["A!", "B!"] });
    expectSameOutputs(local, await aloftBin(["run", "--remote", flow, "loud", "--words", '["a","b"]']));
    // Named after the package's module, as flytekit names a task by its Python module.
    const admin = createClient(service.AdminService, createGrpcTransport({ baseUrl: endpoint }));
    const ids = await admin.listTaskIds({ project: "flytesnacks", domain: "development", limit: 100 });
    expect(ids.entities.map((e) => e.name)).toContain("aloft-e2e-npm-tasks.index.shout");
  });
});
