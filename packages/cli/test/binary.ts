// For the CLI's tests that need a real process: `aloft start` spawned from the binary (so it can be killed with
// SIGKILL), and CLI commands run against it.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/aloft.js", import.meta.url));

/** Spawns `aloft start` on a free port over `dataDir`; resolves once it is ready. */
export function spawnServer(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bin, "start", "--port", "0", "--data-dir", dataDir, "--log-level", "warn"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const url = /listening on (\S+)/.exec(out)?.[1];
      if (url && /ready in/.test(out)) resolve({ child, url });
    });
    child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
    child.on("exit", (code) => reject(new Error(`aloft start exited with ${code}: ${out}`)));
  });
}

/** Runs `aloft <args> --endpoint <endpoint>` to its end. */
export function runAloft(args: string[], endpoint: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args, "--endpoint", endpoint], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Whether process `pid` is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
