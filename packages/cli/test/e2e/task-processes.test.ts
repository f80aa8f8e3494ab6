// Task processes on the user's path: the real `aloft start` binary, `aloft run --remote`. A task sees only the
// allow-listed variables of the server's environment (never its database URL or credentials), runs with its own
// TMPDIR, and dies with its server when the server is killed.
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alive, runAloft, spawnServer } from "../binary.ts";

const flow = fileURLToPath(new URL("./testdata/env-flow.ts", import.meta.url));

let dir: string;
let server: ChildProcess;
let endpoint: string;
const aloft = (args: string[]) => runAloft(args, endpoint);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aloft-task-procs-"));
  const s = await spawnServer(join(dir, "data"), { ALOFT_E2E_SECRET: "leaked", DATABASE_URL: "postgres://user:pw@db/x", PYTHONIOENCODING: "utf-8" });
  server = s.child;
  endpoint = s.url;
}, 60_000);
afterAll(() => {
  server?.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("task processes on aloft start", () => {
  it("see only allow-listed server variables, in shell and TypeScript tasks, with a private TMPDIR", async () => {
    const secret = await aloft(["run", "--remote", "--json", flow, "envFlow", "--name", "ALOFT_E2E_SECRET"]);
    expect(secret.code, secret.stderr).toBe(0);
    expect(JSON.parse(secret.stdout)).toMatchObject({ shell: "unset", ts: "unset" });
    const tmp = JSON.parse(secret.stdout).tmp as string;
    expect(tmp.startsWith(join(dir, "data", "task-runs"))).toBe(true);
    expect(existsSync(tmp)).toBe(false);
    const db = await aloft(["run", "--remote", "--json", flow, "envFlow", "--name", "DATABASE_URL"]);
    expect(JSON.parse(db.stdout)).toMatchObject({ shell: "unset", ts: "unset" });
    const allowed = await aloft(["run", "--remote", "--json", flow, "envFlow", "--name", "PYTHONIOENCODING"]);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ shell: "utf-8", ts: "utf-8" });
  }, 120_000);

  it("die with their server when it is killed with SIGKILL", async () => {
    const pidFile = join(dir, "hang.pid");
    const run = aloft(["run", "--remote", flow, "hangFlow", "--pidFile", pidFile]);
    const end = Date.now() + 60_000;
    while (!existsSync(pidFile) || readFileSync(pidFile, "utf8").trim() === "") {
      if (Date.now() > end) throw new Error("the task did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
    const pid = Number(readFileSync(pidFile, "utf8"));
    expect(alive(pid)).toBe(true);
    server.kill("SIGKILL");
    const dead = Date.now() + 10_000;
    while (alive(pid) && Date.now() < dead) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
    await run;
  }, 120_000);
});
