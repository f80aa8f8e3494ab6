// The CLI as a new user meets it: --version, `get tasks`, `launchplan activate|deactivate`, `launch` by the short
// name a user sees, a clear message when no server answers, and a `run --help` example that runs.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin } from "@aloft/idl";
import { loadWorkflowModule } from "@aloft/sdk";
import { get } from "../../src/commands/get.ts";
import { launch } from "../../src/commands/launch.ts";
import { launchplan } from "../../src/commands/launchplan.ts";
import { register } from "../../src/commands/register.ts";
import { run } from "../../src/commands/run.ts";
import { connect } from "../../src/remote/connection.ts";
import { captureIO, startTestServer, type TestServer } from "../server.ts";

const execFileAsync = promisify(execFile);
const bin = fileURLToPath(new URL("../../bin/aloft.js", import.meta.url));
const root = fileURLToPath(new URL("../../../../", import.meta.url));
const flowFile = fileURLToPath(new URL("./testdata/cached-flow.ts", import.meta.url));

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  const io = captureIO();
  expect(await register.run([flowFile, "--endpoint", server.endpoint], io), io.stderr.join("\n")).toBe(0);
}, 60_000);
afterAll(async () => server?.close());

const cli = async (cmd: { run(argv: string[], io: ReturnType<typeof captureIO>): Promise<number> }, argv: string[]) => {
  const io = captureIO();
  const code = await cmd.run([...argv, "--endpoint", server.endpoint], io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
};

describe("the aloft CLI", () => {
  it("prints its version", async () => {
    const { stdout } = await execFileAsync(process.execPath, [bin, "--version"]);
    expect(stdout.trim()).toMatch(/^aloft \d+\.\d+\.\d+/);
  });

  it("names the endpoint and what to do when no server answers, without a stack trace", async () => {
    const r = await execFileAsync(process.execPath, [bin, "get", "projects", "--endpoint", "http://127.0.0.1:9"]).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot reach an Aloft server at http://127.0.0.1:9");
    expect(r.stderr).toContain("aloft start");
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  }, 30_000);

  it("lists tasks and a task's versions", async () => {
    const names = await cli(get, ["tasks"]);
    expect(names.code).toBe(0);
    const stamp = names.out.split("\n").find((l) => l.trim().endsWith(".stamp"))?.trim();
    expect(stamp).toBeDefined();
    const versions = await cli(get, ["tasks", stamp!]);
    expect(versions.out).toMatch(/VERSION/);
    expect(versions.out).toContain("typescript-task");
  });

  it("launches by the short name a user sees, and lists the names when none matches", async () => {
    const ok = await cli(launch, ["--wait", "cachedFlow", "--x", "2"]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/v: 2\.\d+/);
    const bad = await cli(launch, ["noSuchFlow"]).catch((e: Error) => ({ code: -1, out: "", err: e.message }));
    expect(bad.err).toContain("no launch plan named noSuchFlow");
    expect(bad.err).toMatch(/registered: .*cachedFlow/);
  }, 60_000);

  it("activates and deactivates a launch plan", async () => {
    const remote = connect({ endpoint: server.endpoint, project: "flytesnacks", domain: "development" });
    const state = async () => {
      const res = await remote.admin.listLaunchPlans({ id: { project: "flytesnacks", domain: "development", name: (await lpName()) }, limit: 1, sortBy: { key: "created_at", direction: admin.Sort_Direction.DESCENDING } });
      return res.launchPlans[0]!.closure!.state;
    };
    const lpName = async () => (await remote.admin.listLaunchPlanIds({ project: "flytesnacks", domain: "development", limit: 100 })).entities.map((e) => e.name).find((n) => n.endsWith(".serializedFlow"))!;
    const off = await cli(launchplan, ["deactivate", "serializedFlow"]);
    expect(off.code, off.err).toBe(0);
    expect(off.out).toContain("inactive");
    expect(await state()).toBe(admin.LaunchPlanState.INACTIVE);
    const on = await cli(launchplan, ["activate", "serializedFlow"]);
    expect(on.out).toContain("active");
    expect(await state()).toBe(admin.LaunchPlanState.ACTIVE);
  });

  it("gives a run --help example that names a workflow the file exports", async () => {
    const m = /aloft run (\S+\.ts) (\S+)/.exec(run.usage);
    expect(m).not.toBeNull();
    const mod = await loadWorkflowModule(`${root}${m![1]}`);
    expect(Object.keys(mod.exports)).toContain(m![2]);
  });
});
