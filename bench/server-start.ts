// `aloft start` to first accepted gRPC call: spawns the real command and calls GetVersion (answered before the
// database is up) and ListProjects (needs the database) as soon as the port accepts, first on an empty data
// directory (PGlite initialises it) and then again on the same directory. `--direct` starts the server through
// @aloft/server's startAloft instead of the CLI (what `aloft start` would cost if the CLI loaded only the command
// it runs). Prints figures; asserts nothing.
//   npx tsx bench/server-start.ts [--port 18777] [--direct]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { service } from "@aloft/idl";

// Child mode for --direct: start the server the way the start command does, without the CLI around it.
if (process.argv[2] === "--child") {
  const { loadConfig, startAloft } = await import("@aloft/server");
  const aloft = await startAloft(loadConfig({ argv: process.argv.slice(3), env: {} }));
  process.once("SIGTERM", () => void aloft.close().then(() => process.exit(0)));
  await new Promise(() => {});
}
const direct = process.argv.includes("--direct");
const portArg = process.argv.indexOf("--port");
const port = portArg >= 0 ? Number(process.argv[portArg + 1]) : 18777;
const dir = mkdtempSync(join(tmpdir(), "aloft-bench-start-"));

async function untilOk<T>(f: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await f();
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

async function once(label: string): Promise<void> {
  const t0 = performance.now();
  const flags = ["--port", String(port), "--data-dir", dir, "--log-level", "warn"];
  const args = direct ? ["--import", "tsx", "bench/server-start.ts", "--child", ...flags] : ["packages/cli/bin/aloft.js", "start", ...flags];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const client = createClient(service.AdminService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
  await untilOk(() => client.getVersion({}, { timeoutMs: 1000 }));
  const version = performance.now() - t0;
  await untilOk(() => client.listProjects({}, { timeoutMs: 60_000 }));
  const projects = performance.now() - t0;
  console.log(`${label}: first GetVersion answered after ${version.toFixed(0)} ms; first ListProjects (database ready) after ${projects.toFixed(0)} ms`);
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const t1 = performance.now();
  await exited;
  console.log(`${label}: graceful shutdown on SIGTERM took ${(performance.now() - t1).toFixed(0)} ms`);
}

const how = direct ? "startAloft directly" : "aloft start";
await once(`${how}, empty data directory`);
await once(`${how}, existing data directory`);
rmSync(dir, { recursive: true, force: true });
