import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { TaskExecutionContext } from "./plugin.ts";
import { runProcess } from "./process.ts";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function context(log: string[] = []): TaskExecutionContext {
  return { signal: new AbortController().signal, log: { write: (_s: string, t: string) => log.push(t) } } as unknown as TaskExecutionContext;
}

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("runProcess", () => {
  it("kills the task's whole process group when the process that started it dies by SIGKILL", async () => {
    dir = mkdtempSync(join(tmpdir(), "aloft-process-"));
    const pidFile = join(dir, "pids");
    const holder = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./testdata/hold-task.ts", import.meta.url)), pidFile], { stdio: "ignore" });
    await until("the task to start", () => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim().split("\n").length === 2);
    const pids = readFileSync(pidFile, "utf8").trim().split("\n").map(Number);
    expect(pids.every(alive)).toBe(true);
    holder.kill("SIGKILL");
    await until("the task and its child to die with their server", () => !pids.some(alive));
  });

  it("stops what a finished task left running in the background", async () => {
    dir = mkdtempSync(join(tmpdir(), "aloft-process-"));
    const pidFile = join(dir, "pid");
    const exit = await runProcess(["/bin/sh", "-c", `sleep 600 & echo $! > ${pidFile}; exit 3`], dir, { PATH: process.env.PATH ?? "" }, context(), { killGraceMs: 0, stderrTailChars: 100 });
    expect(exit).toMatchObject({ code: 3, signal: null });
    const pid = Number(readFileSync(pidFile, "utf8"));
    await until("the background process to be stopped", () => !alive(pid));
  });

  it("reports a task killed by a signal as killed by it, and a missing command as a spawn error naming it", async () => {
    dir = mkdtempSync(join(tmpdir(), "aloft-process-"));
    const killed = await runProcess(["/bin/sh", "-c", "kill -TERM $$"], dir, { PATH: process.env.PATH ?? "" }, context(), { killGraceMs: 0, stderrTailChars: 100 });
    expect(killed.signal).toBe("SIGTERM");
    const missing = await runProcess(["no-such-command-aloft"], dir, { PATH: process.env.PATH ?? "" }, context(), { killGraceMs: 0, stderrTailChars: 100 });
    expect(missing.spawnError?.message).toContain("no-such-command-aloft");
  });

  it("passes the task's output through", async () => {
    dir = mkdtempSync(join(tmpdir(), "aloft-process-"));
    const log: string[] = [];
    const exit = await runProcess(["/bin/sh", "-c", "echo hello; echo oops >&2"], dir, { PATH: process.env.PATH ?? "" }, context(log), { killGraceMs: 0, stderrTailChars: 100 });
    expect(exit.code).toBe(0);
    expect(log.join("")).toContain("hello");
    expect(exit.stderrTail).toContain("oops");
  });
});
