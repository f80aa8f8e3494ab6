// Runs a task's command as a local process for the process-based plugins (local-process, raw-container):
// output captured per attempt, and an abort stops the whole process group.
import { spawn } from "node:child_process";
import type { TaskExecutionContext } from "./plugin.ts";

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError?: Error;
  /** The last stderr bytes, for failure messages. */
  stderrTail: string;
}

export interface RunProcessOptions {
  /** After an abort: SIGTERM, then SIGKILL after this many ms (0: SIGKILL at once). */
  killGraceMs: number;
  stderrTailChars: number;
}

export function runProcess(argv: string[], cwd: string, env: Record<string, string>, ctx: TaskExecutionContext, options: RunProcessOptions): Promise<ProcessExit> {
  return new Promise((resolve) => {
    let stderrTail = "";
    // Its own process group, so an abort also stops what the command started (fast-execute → execute, a shell's children).
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (b: Buffer) => ctx.log.write("stdout", b.toString()));
    child.stderr.on("data", (b: Buffer) => {
      const s = b.toString();
      ctx.log.write("stderr", s);
      stderrTail = (stderrTail + s).slice(-options.stderrTailChars);
    });
    const kill = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      if (options.killGraceMs <= 0) return kill("SIGKILL");
      kill("SIGTERM");
      killTimer = setTimeout(() => kill("SIGKILL"), options.killGraceMs);
    };
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const done = (e: ProcessExit) => {
      ctx.signal.removeEventListener("abort", onAbort);
      if (killTimer) clearTimeout(killTimer);
      resolve(e);
    };
    child.on("error", (err) => done({ code: null, signal: null, spawnError: err, stderrTail }));
    child.on("close", (code, signal) => done({ code, signal, stderrTail }));
  });
}
