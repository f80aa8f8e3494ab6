// `aloft run` (locally and --remote against an in-process `aloft start`) as a new user meets it: inputs checked
// before anything is registered, unchanged code not registered again, --json and --quiet, options after the
// workflow name, node names in progress lines (map items too) with the execution's line last, a missing file input
// named, and `aloft logs` showing what a task printed.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/command.ts";
import { run } from "../../src/commands/run.ts";
import { logs } from "../../src/commands/logs.ts";
import { connect } from "../../src/remote/connection.ts";
import { captureIO, startTestServer, type TestServer } from "../server.ts";

const execFileAsync = promisify(execFile);
const flows = fileURLToPath(new URL("./testdata/progress-flow.ts", import.meta.url));
const bin = fileURLToPath(new URL("../../bin/aloft.js", import.meta.url));

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(async () => server?.close());

/** As `aloft run` does from a shell: a usage error is printed, without a stack, with exit code 2. */
async function aloftRun(argv: string[]) {
  const io = captureIO();
  const code = await run.run(argv, io).catch((e: unknown) => {
    if (!(e instanceof UsageError)) throw e;
    io.err(`aloft run: ${e.message}`);
    return 2;
  });
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n"), errLines: io.stderr.flatMap((l) => l.split("\n")) };
}
const remote = (...argv: string[]) => aloftRun(["--remote", flows, ...argv, "--endpoint", server.endpoint]);

async function launchPlanVersions(): Promise<string[]> {
  const r = connect({ endpoint: server.endpoint, project: "flytesnacks", domain: "development" });
  const ids = await r.admin.listLaunchPlanIds({ project: r.project, domain: r.domain, limit: 100 });
  const versions: string[] = [];
  for (const e of ids.entities) {
    const lps = await r.admin.listLaunchPlans({ id: { project: r.project, domain: r.domain, name: e.name }, limit: 100 });
    versions.push(...lps.launchPlans.map((l) => `${l.id!.name}@${l.id!.version}`));
  }
  return versions.sort();
}

describe("aloft run --remote", () => {
  it("checks the inputs before registering anything", async () => {
    const r = await remote("scoreAll", "--reviews", "not-json");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--reviews/);
    expect(r.err).toMatch(/inputs of scoreAll:/);
    expect(await launchPlanVersions()).toEqual([]);
    const missing = await remote("scoreAll");
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/missing input: --reviews/);
    expect(await launchPlanVersions()).toEqual([]);
  });

  it("names nodes and map items in its progress, ends with the execution's line, and reuses an unchanged registration", async () => {
    const first = await remote("scoreAll", "--reviews", '["a","bb","ccc"]');
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/total.*6/);
    expect(first.err).toMatch(/^registered version v-/m);
    for (const i of [0, 1, 2]) expect(first.errLines).toContain(`  n0 map[${i}] scoreReview: SUCCEEDED`);
    expect(first.errLines).toContain("  n0 map scoreReview: SUCCEEDED");
    expect(first.errLines).toContain("  n1 summarise: SUCCEEDED");
    expect(first.errLines.at(-1)).toMatch(/^execution \S+: SUCCEEDED$/);
    const registered = await launchPlanVersions();
    expect(registered.length).toBeGreaterThan(0);

    const second = await remote("scoreAll", "--reviews", '["dddd"]');
    expect(second.code, second.err).toBe(0);
    expect(second.out).toMatch(/total.*4/);
    expect(second.err).toMatch(/^version v-\S+ is registered already \(same code\)$/m);
    expect(await launchPlanVersions()).toEqual(registered);
  });

  it("prints only one JSON document under --json, and no progress under --quiet, with options after the workflow name", async () => {
    const json = await aloftRun([flows, "scoreAll", "--reviews", '["ab"]', "--remote", "--json", "--endpoint", server.endpoint]);
    expect(json.code, json.err).toBe(0);
    expect(JSON.parse(json.out)).toEqual({ total: 2 });
    expect(json.err).toBe("");
    const quiet = await aloftRun([flows, "scoreAll", "--quiet", "--reviews", '["abc"]', "--remote", "--endpoint", server.endpoint]);
    expect(quiet.code, quiet.err).toBe(0);
    expect(quiet.out).toMatch(/total.*3/);
    expect(quiet.err).toBe("");
  });

  it("refuses local-only options and unknown ones with a clear message", async () => {
    const storeDir = await aloftRun([flows, "scoreAll", "--reviews", "[]", "--remote", "--store-dir", "/tmp/x", "--endpoint", server.endpoint]);
    expect(storeDir.code).toBe(2);
    expect(storeDir.err).toMatch(/--store-dir are for local runs/);
    const unknown = await aloftRun([flows, "scoreAll", "--reviews", "[]", "--bogus", "1"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown input --bogus \(inputs: --reviews\)/);
  });

  it("names a missing file input, locally and remotely, without a stack trace", async () => {
    for (const r of [await aloftRun([flows, "lineCount", "--data", "/nonexistent/orders.csv"]), await remote("lineCount", "--data", "/nonexistent/orders.csv")]) {
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/input --data: no such file: \/nonexistent\/orders.csv/);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    const bin1 = await execFileAsync(process.execPath, [bin, "run", flows, "lineCount", "--data", "/nonexistent/orders.csv"]).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(bin1.code).toBe(2);
    expect(bin1.stderr).toMatch(/input --data: no such file/);
    expect(bin1.stderr).not.toMatch(/\n\s+at /);
  });

  it("shows a task's stdout and stderr in aloft logs", async () => {
    const r = await remote("chattyFlow", "--word", "world");
    expect(r.code, r.err).toBe(0);
    const name = /execution (\S+) started/.exec(r.err)![1]!;
    const io = captureIO();
    expect(await logs.run([name, "--endpoint", server.endpoint], io)).toBe(0);
    const text = io.stdout.join("\n");
    expect(text).toMatch(/stdout\/stderr:\n\s+hello world on stdout/);
    expect(text).toMatch(/trouble on stderr/);
  });
});

describe("aloft run, locally", () => {
  it("names map items in its progress and takes options after the workflow name", async () => {
    const r = await aloftRun([flows, "scoreAll", "--reviews", '["a","bb"]', "--no-cache"]);
    expect(r.code, r.err).toBe(0);
    expect(r.errLines.some((l) => /^ {2}✓ n0 map\[1\] scoreReview \d+ms$/.test(l))).toBe(true);
    expect(r.errLines.some((l) => /^ {2}✓ n1 summarise \d+ms$/.test(l))).toBe(true);
    const json = await aloftRun([flows, "scoreAll", "--reviews", '["a"]', "--json", "--no-cache"]);
    expect(JSON.parse(json.out)).toEqual({ total: 1 });
    expect(json.err).toBe("");
  });

  it("reads a file input", async () => {
    const file = join(server.dir, "three.csv");
    writeFileSync(file, "a\nb\nc\n");
    const r = await aloftRun([flows, "lineCount", "--data", file]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/lines.*3/);
  });
});
