// Runs a task's command as a local process for the process-based plugins (local-process, raw-container):
// output captured per attempt, and an abort stops the whole process group.
import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import type { TaskExecutionContext } from "./plugin.ts";

// The task runs under a watchdog shell, leader of the attempt's process group, whose stdin is a pipe from this
// process. When this process dies — even by SIGKILL — the pipe closes, `cat` returns and the watchdog kills the
// whole group, so no task outlives its server to run twice beside the retry. The same happens when the task
// ends normally (the pipe is closed then), which removes whatever it left running in the background.
const WATCHDOG = [
  // A background job's stdin is /dev/null unless redirected, so the pipe is passed through fd 3.
  "exec 3<&0",
  "( cat <&3 >/dev/null 2>&1; kill -KILL 0 ) >/dev/null 2>&1 &",
  "exec 3<&-",
  '"$@" </dev/null 3<&- &',
  'child=$!',
  'wait "$child"; code=$?',
  // Report a task killed by a signal as killed by that signal, as if there were no watchdog in between.
  'if [ "$code" -gt 128 ] && [ "$code" -lt 160 ]; then trap - TERM INT HUP; kill -s "$(kill -l "$code")" $$; fi',
  'exit "$code"',
].join("\n");

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
    const missing = executableProblem(argv[0]!, cwd, env.PATH);
    if (missing) return resolve({ code: null, signal: null, spawnError: new Error(missing), stderrTail });
    // Its own process group, so an abort also stops what the command started (fast-execute → execute, a shell's children).
    const child = spawn("/bin/sh", ["-c", WATCHDOG, "aloft-task", ...argv], { cwd, env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    child.stdin.on("error", () => {});
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
    // The task has ended: closing the pipe lets the watchdog stop anything it left running.
    child.on("exit", () => child.stdin.destroy());
    child.on("close", (code, signal) => done({ code, signal, stderrTail }));
  });
}

/** Why `command` cannot be started (not found on PATH, not executable), or undefined when it can. */
function executableProblem(command: string, cwd: string, path: string | undefined): string | undefined {
  const runnable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes("/")) return runnable(isAbsolute(command) ? command : resolve(cwd, command)) ? undefined : `${command}: not found or not executable`;
  for (const dir of (path ?? "").split(delimiter)) {
    if (dir !== "" && runnable(join(dir, command))) return undefined;
  }
  return `${command}: not found on PATH`;
}
