// A killed `aloft start` on the user's path: the real binary is SIGKILLed while a shell task runs, then started again
// on the same data directory. The attempt that was running is recorded lost (a system error) and the task runs
// again as attempt 1, once, never beside an orphan of attempt 0.
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { alive, runAloft, spawnServer } from "../binary.ts";

const flow = fileURLToPath(new URL("./testdata/restart-flow.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "aloft-restart-"));
const servers: ChildProcess[] = [];

afterAll(() => {
  for (const s of servers) s.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, ms: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("aloft start killed with SIGKILL and started again", () => {
  it("records the running attempt as lost and runs the task once more as attempt 1", async () => {
    const work = join(dir, "work");
    mkdirSync(work);
    const data = join(dir, "data");
    const first = await spawnServer(data);
    servers.push(first.child);
    const run = runAloft(["run", "--remote", flow, "slowFlow", "--dir", work], first.url);
    const pid = await until("the task to start", 60_000, () => (existsSync(join(work, "pid")) ? Number(readFileSync(join(work, "pid"), "utf8")) || undefined : undefined));
    first.child.kill("SIGKILL");
    await run;
    await until("attempt 0 to die with its server", 10_000, () => (alive(pid) ? undefined : true));

    const second = await spawnServer(data);
    servers.push(second.child);
    const listed = await until("the execution to succeed", 60_000, async () => {
      const r = await runAloft(["get", "executions"], second.url);
      return /SUCCEEDED/.test(r.stdout) ? r.stdout : undefined;
    });
    const name = /^(\w+)\s+SUCCEEDED/m.exec(listed)![1]!;
    const logs = await runAloft(["logs", name], second.url);
    expect(logs.stdout).toMatch(/attempt 0: FAILED.*\n\s+error AttemptLost: the server stopped while this attempt ran\n\s+attempt 1: SUCCEEDED/);
    const runs = readFileSync(join(work, "runs.log"), "utf8").trim().split("\n").map((l) => l.split(" ").slice(0, 2).join(" "));
    expect(runs).toEqual(["start 0", "start 1"]);
    const outputs = await runAloft(["get", "execution", name], second.url);
    expect(outputs.stdout).toContain("attempt 1");
  }, 150_000);
});
