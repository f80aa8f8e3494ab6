// Throughput of one-node executions through the control plane on the embedded default (PGlite, filesystem blobs,
// the real engine): N concurrent gRPC clients call CreateExecution for a launch plan over Flyte's echo task, and the
// run counts executions that reached SUCCEEDED. Prints figures; asserts nothing.
//   npx tsx bench/server-throughput.ts [--clients 32] [--seconds 30] [--in-process | --client-process] [--postgres postgres://…/db]
//                                      [--auth off|on|both]
// --auth on: authentication on, the clients sending a Contributor API key; --auth both: off, on, off, on in one run
// (the cost of authentication beside the same minutes without it).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { admin, service } from "@aloft/idl";
import { defaultConfig, startAloft } from "@aloft/server";
import { echoEntities, intLiteral } from "../packages/server/test/fixtures/echo.ts";
import { threadCpu } from "./thread-cpu.ts";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const clients = arg("clients", 32);
const seconds = arg("seconds", 30);
const inProcess = process.argv.includes("--in-process");
const pgIndex = process.argv.indexOf("--postgres");
const postgres = pgIndex >= 0 ? process.argv[pgIndex + 1] : undefined;

const authIndex = process.argv.indexOf("--auth");
const authMode = authIndex >= 0 ? process.argv[authIndex + 1] : "off";
if (authMode !== "off" && authMode !== "on" && authMode !== "both") throw new Error("--auth must be off, on or both");
const bearerIndex = process.argv.indexOf("--bearer");
const bearer = bearerIndex >= 0 ? process.argv[bearerIndex + 1] : undefined;
const withKey = (key: string | undefined): Interceptor[] => (key ? [(next) => (req) => (req.header.set("authorization", `Bearer ${key}`), next(req))] : []);

const clientOf = process.argv.indexOf("--client-of");
const separate = process.argv.includes("--client-process");

// --client-of URL: only the gRPC clients, in a process of their own (started by --client-process); prints a count.
if (clientOf >= 0) {
  const url = process.argv[clientOf + 1]!;
  const e = echoEntities("flytesnacks", "development", "bench");
  const req = () => create(admin.ExecutionCreateRequestSchema, { project: "flytesnacks", domain: "development", spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(1) } } });
  const cs = Array.from({ length: clients }, () => createClient(service.AdminService, createGrpcTransport({ baseUrl: url, interceptors: withKey(bearer) })));
  // Started and loaded before the clock starts: the parent starts timing when it answers "ready".
  process.stdout.write("ready\n");
  await new Promise((r) => process.stdin.once("data", r));
  const end = performance.now() + seconds * 1000;
  let ok = 0;
  let bad = 0;
  await Promise.all(
    cs.map(async (c) => {
      while (performance.now() < end) await c.createExecution(req()).then(() => ok++, () => bad++);
    }),
  );
  process.stdout.write(JSON.stringify({ ok, bad }));
  process.exit(0);
}

async function contributorKey(url: string, adminKey: string): Promise<string> {
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${url}/aloft/v1/${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
    return (await r.json()) as { id: string; key: string };
  };
  const k = await post("auth/keys/create", { name: "bench" });
  await post("auth/grants/add", { principal: `key:${k.id}`, project: "flytesnacks", domain: "development", role: "contributor" });
  return k.key;
}

async function runOnce(authOn: boolean): Promise<{ perHour: number; cpuMsPer: number }> {
  const dir = mkdtempSync(join(tmpdir(), "aloft-bench-"));
  const config = { ...defaultConfig(), port: 0, dataDir: dir, logLevel: "silent", ...(postgres ? { databaseUrl: postgres } : {}) };
  const aloft = await startAloft(authOn ? { ...config, auth: { ...config.auth, enabled: true } } : config);
  const ctx = await aloft.ready;
  // With auth on: the bootstrap admin key (written by aloft start) makes a Contributor key the clients send.
  const key = authOn ? await contributorKey(aloft.server.url, readFileSync(join(dir, "admin-key"), "utf8").trim()) : undefined;
  const e = echoEntities("flytesnacks", "development", "bench");
  const grpcClient = createClient(service.AdminService, createGrpcTransport({ baseUrl: aloft.server.url, interceptors: withKey(key) }));
  await grpcClient.createTask(e.task);
  await grpcClient.createWorkflow(e.workflow);
  await grpcClient.createLaunchPlan(e.launchPlan);

  // The in-process figure calls the same handler the transports call, without the network.
  const { createExecution } = await import("../packages/server/src/admin/executions/create.ts");
  const request = () => create(admin.ExecutionCreateRequestSchema, { project: "flytesnacks", domain: "development", spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(1) } } });
  const perClient = Array.from({ length: separate ? 0 : clients }, () => (inProcess ? undefined : createClient(service.AdminService, createGrpcTransport({ baseUrl: aloft.server.url, interceptors: withKey(key) }))));

  // --client-process: the clients run in a child process, as real clients are not inside the server's process.
  const clientProcess = separate ? spawn(process.execPath, [...process.execArgv, process.argv[1]!, "--client-of", aloft.server.url, "--clients", String(clients), "--seconds", String(seconds), ...(key ? ["--bearer", key] : [])], { stdio: ["pipe", "pipe", "inherit"] }) : undefined;
  if (clientProcess) await new Promise<void>((resolve) => clientProcess.stdout!.once("data", () => resolve()));
  const threads0 = threadCpu();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  let created = 0;
  let failed = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const child = clientProcess
    ? new Promise<void>((resolve, reject) => {
        let out = "";
        clientProcess.stdout!.on("data", (d: Buffer) => (out += d.toString()));
        clientProcess.on("error", reject);
        clientProcess.on("exit", (code) => {
          if (code !== 0) return reject(new Error(`client process exited with ${code}`));
          const r = JSON.parse(out.slice(out.indexOf("\n") + 1)) as { ok: number; bad: number };
          created += r.ok;
          failed += r.bad;
          resolve();
        });
        clientProcess.stdin!.write("go\n");
      })
    : Promise.resolve();
  await Promise.all([
    child,
    ...perClient.map(async (c) => {
      while (performance.now() < end) {
        try {
          if (c) await c.createExecution(request());
          else await createExecution(ctx, request());
          created++;
        } catch (err) {
          failed++;
          if (failed < 5) console.error("create failed:", (err as Error).message);
        }
      }
    }),
  ]);
  const createSeconds = (performance.now() - t0) / 1000;
  // How busy the main thread was while creating (event-loop utilization), and the process's CPU over all threads.
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  const threads1 = threadCpu();
  // Wait for every created execution to finish, then count how many succeeded.
  const countDone = async () => {
    const r = await ctx.db.selectFrom("admin_executions").select([(eb) => eb.fn.countAll<number>().as("n"), "phase"]).groupBy("phase").execute();
    return Object.fromEntries(r.map((x) => [x.phase, Number(x.n)]));
  };
  let phases = await countDone();
  while ((phases.SUCCEEDED ?? 0) + (phases.FAILED ?? 0) + (phases.ABORTED ?? 0) < created && performance.now() - t0 < (seconds + 600) * 1000) {
    await new Promise((r) => setTimeout(r, 250));
    phases = await countDone();
  }
  const totalSeconds = (performance.now() - t0) / 1000;
  const succeeded = phases.SUCCEEDED ?? 0;
  console.log(`auth ${authOn ? "on (Contributor API key)" : "off"}; mode: ${inProcess ? "in-process handler" : `gRPC (h2c), ${clients} clients${separate ? " in a separate process" : " in this process"}`}, ${clients} concurrent callers, ${seconds}s of creation, ${postgres ? "PostgreSQL" : "embedded PGlite"}`);
  console.log(`created ${created} executions in ${createSeconds.toFixed(1)}s (${Math.round((created / createSeconds) * 3600).toLocaleString("en-US")}/hour), ${failed} create errors`);
  console.log(`main thread event-loop utilization ${(elu.utilization * 100).toFixed(0)}%, process CPU ${((cpu.user + cpu.system) / 1e6 / createSeconds).toFixed(2)} cores while creating`);
  const busiest = [...threads1].map(([tid, t]) => ({ name: t.name, s: t.s - (threads0.get(tid)?.s ?? 0) })).filter((t) => t.s > 0.2).sort((a, b) => b.s - a.s);
  console.log(`thread CPU while creating: ${busiest.map((t) => `${t.name} ${t.s.toFixed(1)}s`).join(", ")}`);
  console.log(`all finished after ${totalSeconds.toFixed(1)}s: ${JSON.stringify(phases)}`);
  console.log(`completed-execution throughput: ${Math.round((succeeded / totalSeconds) * 3600).toLocaleString("en-US")} executions/hour`);
  await aloft.close();
  rmSync(dir, { recursive: true, force: true });
  // CPU per created execution (all threads of the server's process, clients included unless --client-process):
  // less sensitive than throughput to other processes taking this machine's cores.
  const cpuMsPer = (cpu.user + cpu.system) / 1000 / Math.max(created, 1);
  console.log(`process CPU per created execution: ${cpuMsPer.toFixed(2)} ms`);
  return { perHour: (created / createSeconds) * 3600, cpuMsPer };
}

const rounds = authMode === "both" ? [false, true, false, true] : [authMode === "on"];
const rates: { auth: boolean; perHour: number; cpuMsPer: number }[] = [];
for (const authOn of rounds) rates.push({ auth: authOn, ...(await runOnce(authOn)) });
if (authMode === "both") {
  const mean = (on: boolean, f: "perHour" | "cpuMsPer" = "perHour") => rates.filter((r) => r.auth === on).reduce((a, r) => a + r[f], 0) / 2;
  const off = mean(false);
  const on = mean(true);
  console.log(`process CPU per created execution, auth off: ${mean(false, "cpuMsPer").toFixed(2)} ms, auth on: ${mean(true, "cpuMsPer").toFixed(2)} ms (${(((mean(true, "cpuMsPer") - mean(false, "cpuMsPer")) / mean(false, "cpuMsPer")) * 100).toFixed(1)}% more)`);
  console.log(`created/hour, auth off: ${rates.filter((r) => !r.auth).map((r) => Math.round(r.perHour).toLocaleString("en-US")).join(", ")}; auth on: ${rates.filter((r) => r.auth).map((r) => Math.round(r.perHour).toLocaleString("en-US")).join(", ")}`);
  console.log(`authentication and authorization cost: ${(((off - on) / off) * 100).toFixed(1)}% of CreateExecution throughput (mean of 2 alternating rounds each)`);
}
