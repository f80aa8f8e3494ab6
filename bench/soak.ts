// Soak of `aloft start`: runs the README's remote commands (register once, then `run --remote`, `get executions`
// and `launch --wait` in a loop) for N minutes against one server, and prints the server's resident memory and open
// file descriptors (from /proc) at the start, every minute and at the end, with the command count and failures.
// Prints figures; asserts nothing.
//   npx tsx bench/soak.ts [--minutes 10] [--port 18790] [--database-url postgres://...]
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const minutes = Number(arg("--minutes", "10"));
const port = Number(arg("--port", "18790"));
const databaseUrl = arg("--database-url", "");
const endpoint = `http://127.0.0.1:${port}`;
const dir = mkdtempSync(join(tmpdir(), "aloft-soak-"));
const cli = join(import.meta.dirname, "..", "packages/cli/bin/aloft.js");

const server = spawn(process.execPath, [cli, "start", "--port", String(port), "--data-dir", dir, "--log-level", "warn", ...(databaseUrl ? ["--database-url", databaseUrl] : [])], {
  stdio: ["ignore", "ignore", "inherit"],
});
const pid = server.pid!;

function usage(): { rssMiB: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKiB = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  return { rssMiB: rssKiB / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}
const show = (u: { rssMiB: number; fds: number }) => `RSS ${u.rssMiB.toFixed(0)} MiB, ${u.fds} open fds`;

/** Open descriptors by kind (socket, pipe, anon_inode:[eventfd], a file's directory), to see what grows. */
function fdKinds(): string {
  const kinds = new Map<string, number>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    const kind = target.startsWith("/") ? `file ${target.split("/").slice(0, 3).join("/")}` : target.replace(/:\[\d+\]$/, "").replace(/^anon_inode:\[?([^\]]+)\]?$/, "anon_inode:$1");
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ");
}

async function aloft(...args: string[]): Promise<void> {
  await run(process.execPath, [cli, ...args, "--endpoint", endpoint], { env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 16 * 1024 * 1024 });
}

async function untilReady(): Promise<void> {
  for (;;) {
    try {
      if ((await fetch(`${endpoint}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

await untilReady();
await aloft("register", "examples/etl/etl.ts", "--version", "soak1");
const commands: Array<[string, string[]]> = [
  ["run --remote", ["run", "--remote", "examples/etl/etl.ts", "etlPipeline", "--rows", "1000"]],
  ["get executions", ["get", "executions"]],
  ["launch --wait", ["launch", "--wait", "etlPipeline", "--rows", "500"]],
];
// One round first, so the figures start from a warm server (code bundle fetched, worker threads up).
for (const [, args] of commands) await aloft(...args);
const start = usage();
const t0 = Date.now();
console.log(`soak: ${minutes} min of the README's remote commands against aloft start (pid ${pid}, ${databaseUrl ? "PostgreSQL" : "PGlite"})`);
console.log(`start (after one warm-up round): ${show(start)}`);
console.log(`  fds: ${fdKinds()}`);
let done = 0;
let failed = 0;
let nextReport = t0 + 60_000;
const peak = { ...start };
while (Date.now() - t0 < minutes * 60_000) {
  for (const [name, args] of commands) {
    try {
      await aloft(...args);
      done++;
    } catch (e) {
      failed++;
      console.log(`${name} failed: ${String((e as { stderr?: string }).stderr ?? e).trim().split("\n").slice(-2).join(" / ")}`);
    }
  }
  const u = usage();
  peak.rssMiB = Math.max(peak.rssMiB, u.rssMiB);
  peak.fds = Math.max(peak.fds, u.fds);
  if (Date.now() >= nextReport) {
    console.log(`${((Date.now() - t0) / 60_000).toFixed(1)} min: ${show(u)}; ${done} commands, ${failed} failed`);
    nextReport += 60_000;
  }
}
const end = usage();
console.log(`end after ${((Date.now() - t0) / 60_000).toFixed(1)} min: ${show(end)} (start ${show(start)}; peak RSS ${peak.rssMiB.toFixed(0)} MiB, peak ${peak.fds} fds)`);
console.log(`  fds: ${fdKinds()}`);
console.log(`${done} commands (${Math.round(done / 3)} rounds of run --remote, get executions, launch --wait), ${failed} failed`);
const metrics = await (await fetch(`${endpoint}/metrics`)).text();
for (const name of ["aloft_executions_created_total", "aloft_executions_finished_total", "aloft_task_attempts_total", "aloft_cache_hits_total"]) {
  for (const line of metrics.split("\n").filter((l) => l.startsWith(name))) console.log(`  ${line}`);
}
server.kill("SIGTERM");
await new Promise((r) => server.once("exit", r));
rmSync(dir, { recursive: true, force: true });
