// Each attempt of a process-based task gets a private directory: its working directory, with `tmp/` as its
// TMPDIR, so whatever the task leaves behind (flytekit's flyte* directories, unpacked code) goes when the
// attempt ends. A failed attempt's directory can be kept for debugging; it is then renamed `aloft-kept-…`.
// Directories of attempts whose server died (SIGKILL, power loss) are swept when the next plugin starts.
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { TaskResult } from "./plugin.ts";

export interface AttemptDirOptions {
  /** Attempt directories are made under this one. */
  workDir: string;
  /** Keep every attempt's directory. */
  keepAll?: boolean;
  /** Keep the directory of an attempt that failed. */
  keepFailed?: boolean;
}

export interface AttemptDir {
  /** The attempt's working directory. */
  root: string;
  /** Its TMPDIR, inside `root`. */
  tmp: string;
}

const PREFIX = "aloft-task-";

/** Makes the attempt's directory (`<workDir>/aloft-task-<pid>-<key>_a<attempt>-XXXXXX`), runs `fn` in it, then removes or keeps it. */
export async function inAttemptDir(options: AttemptDirOptions, actionKey: string, attempt: number, fn: (dir: AttemptDir) => Promise<TaskResult>): Promise<TaskResult> {
  mkdirSync(options.workDir, { recursive: true });
  const key = actionKey.replace(/[^A-Za-z0-9_.-]/g, "_").slice(-100);
  // The server's pid in the name lets a later server tell a dead server's leftovers from a live one's.
  const root = mkdtempSync(join(options.workDir, `${PREFIX}${process.pid}-${key}_a${attempt}-`));
  const tmp = join(root, "tmp");
  mkdirSync(tmp);
  let result: TaskResult | undefined;
  try {
    result = await fn({ root, tmp });
    return result;
  } finally {
    const failed = result === undefined || result.kind === "failure";
    if (options.keepAll || (failed && options.keepFailed)) {
      if (failed) renameSync(root, join(options.workDir, `aloft-kept-${root.slice(options.workDir.length + 1 + PREFIX.length)}`));
    } else {
      rmSync(root, { recursive: true, force: true });
    }
  }
}

/** Removes the attempt directories in `workDir` left by servers that are no longer running. */
export function sweepDeadAttemptDirs(workDir: string): void {
  let names: string[];
  try {
    names = readdirSync(workDir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^aloft-task-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    // A live process's attempts (ours included) are in use.
    if (pid === process.pid || alive(pid)) continue;
    rmSync(join(workDir, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
