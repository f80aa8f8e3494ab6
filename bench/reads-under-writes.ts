// Reads while writes run: `aloft start` in this process (embedded PGlite by default, the real engine, Flyte's echo
// task), and N gRPC connections from a client process, each either listing executions (ListExecutions, 20 newest of
// a project) or creating them (CreateExecution of a one-node launch plan) in a loop. Prints list and create p50/p99
// and the server's RSS. Asserts nothing.
//   npx tsx bench/reads-under-writes.ts [--connections 500] [--seconds 20] [--list-share 0.5] [--preload 1000] [--postgres postgres://…/db]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { admin, service } from "@aloft/idl";
import { echoEntities, intLiteral } from "../packages/server/test/fixtures/echo.ts";
import { threadCpu } from "./thread-cpu.ts";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const connections = arg("connections", 500);
const seconds = arg("seconds", 20);
const listShare = arg("list-share", 0.5);
const preload = arg("preload", 1000);
const pgIndex = process.argv.indexOf("--postgres");
const postgres = pgIndex >= 0 ? process.argv[pgIndex + 1] : undefined;
const P = "flytesnacks";
const D = "development";
const e = echoEntities(P, D, "bench");
const createRequest = () => create(admin.ExecutionCreateRequestSchema, { project: P, domain: D, spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(1) } } });
const listRequest = () => create(admin.ResourceListRequestSchema, { id: { project: P, domain: D }, limit: 20, sortBy: { key: "created_at", direction: admin.Sort_Direction.DESCENDING } });


const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

// --client-of URL: the connections, in a process of their own (real clients are not inside the server); prints JSON.
const clientOf = process.argv.indexOf("--client-of");
if (clientOf >= 0) {
  const url = process.argv[clientOf + 1]!;
  // One transport each (its own HTTP/2 connection); listers spread evenly among creators.
  const cs = Array.from({ length: connections }, (_, i) => ({ list: Math.floor((i + 1) * listShare) > Math.floor(i * listShare), c: createClient(service.AdminService, createGrpcTransport({ baseUrl: url })) }));
  // Connect every connection before the clock starts.
  await Promise.all(cs.map(({ c }) => c.getVersion({})));
  process.stdout.write("ready\n");
  await new Promise((r) => process.stdin.once("data", r));
  const list: number[] = [];
  const made: number[] = [];
  let errors = 0;
  let firstError = "";
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    cs.map(async ({ list: lister, c }) => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          if (lister) await c.listExecutions(listRequest());
          else await c.createExecution(createRequest());
          (lister ? list : made).push(performance.now() - t);
        } catch (err) {
          errors++;
          firstError ||= (err as Error).message;
        }
      }
    }),
  );
  process.stdout.write(JSON.stringify({ list, made, errors, firstError, listers: cs.filter((x) => x.list).length }));
  process.exit(0);
}

const { defaultConfig, startAloft } = await import("@aloft/server");
const dir = mkdtempSync(join(tmpdir(), "aloft-bench-rw-"));
const aloft = await startAloft({ ...defaultConfig(), port: 0, dataDir: dir, logLevel: "silent", ...(postgres ? { databaseUrl: postgres } : {}) });
const ctx = await aloft.ready;
const admin0 = createClient(service.AdminService, createGrpcTransport({ baseUrl: aloft.server.url }));
await admin0.createTask(e.task);
await admin0.createWorkflow(e.workflow);
await admin0.createLaunchPlan(e.launchPlan);
// Executions to list before the run (and to make the table more than a page).
for (let i = 0; i < preload; i += 50) await Promise.all(Array.from({ length: Math.min(50, preload - i) }, () => admin0.createExecution(createRequest())));
// ...all finished, so the run measures only its own work.
for (;;) {
  const { n } = await ctx.db.selectFrom("admin_executions").select((eb) => eb.fn.countAll<number>().as("n")).where("phase", "not in", ["SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"]).executeTakeFirstOrThrow();
  if (Number(n) === 0) break;
  await new Promise((r) => setTimeout(r, 200));
}

const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, "--client-of", aloft.server.url, "--connections", String(connections), "--seconds", String(seconds), "--list-share", String(listShare)], { stdio: ["pipe", "pipe", "inherit"] });
let out = "";
child.stdout.on("data", (d: Buffer) => (out += d.toString()));
await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
// Where the time goes: every database statement's duration (lock wait included for writes), and the main thread's
// event-loop delay.
const statements: number[] = [];
// (`database` is absent on servers before it was added: then no statement figures.)
const unobserve = (aloft as { database?: { health: { observe(f: (ms: number) => void): () => void } } }).database?.health.observe((ms) => statements.push(ms)) ?? (() => {});
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const rss0 = process.memoryUsage().rss;
const threads0 = threadCpu();
const t0 = performance.now();
let rssPeak = rss0;
const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 200);
const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
child.stdin.write("go\n");
const code = await exited;
clearInterval(sampler);
loopDelay.disable();
const wall = (performance.now() - t0) / 1000;
const threads1 = threadCpu();
unobserve();
if (code !== 0) throw new Error(`client process exited with ${code}`);
const r = JSON.parse(out.slice(out.indexOf("\n") + 1)) as { list: number[]; made: number[]; errors: number; firstError: string; listers: number };
const ms = (x: number) => `${x.toFixed(0)} ms`;
const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
console.log(`${connections} connections (${r.listers} listing, ${connections - r.listers} creating) for ${seconds}s, ${postgres ? "PostgreSQL" : "embedded PGlite"}, ${preload} executions preloaded`);
console.log(`ListExecutions: ${r.list.length} calls, p50 ${ms(pct(r.list, 50))}, p99 ${ms(pct(r.list, 99))}, max ${ms(pct(r.list, 100))}`);
console.log(`CreateExecution: ${r.made.length} calls, p50 ${ms(pct(r.made, 50))}, p99 ${ms(pct(r.made, 99))}, max ${ms(pct(r.made, 100))}`);
console.log(`errors: ${r.errors}${r.errors ? ` (first: ${r.firstError})` : ""}`);
console.log(`database statements: ${statements.length}, p50 ${ms(pct(statements, 50))}, p99 ${ms(pct(statements, 99))}; main-thread event-loop delay p50 ${ms(loopDelay.percentile(50) / 1e6)}, p99 ${ms(loopDelay.percentile(99) / 1e6)}`);
const busiest = [...threads1].map(([tid, t]) => ({ name: t.name, s: t.s - (threads0.get(tid)?.s ?? 0) })).filter((t) => t.s > 0.2).sort((a, b) => b.s - a.s);
console.log(`server thread CPU over ${wall.toFixed(1)}s: ${busiest.map((t) => `${t.name} ${t.s.toFixed(1)}s`).join(", ")}`);
console.log(`server RSS: ${mib(rss0)} at start, peak ${mib(rssPeak)}, ${mib(process.memoryUsage().rss)} at end`);
await aloft.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
