// ListExecutions with a Flyte filter over many rows, over gRPC, on the embedded database (PGlite) by default or
// PostgreSQL with --postgres <url>. Prints p50/p95/p99; asserts nothing.
//   npx tsx bench/server-list.ts [--rows 100000] [--queries 200] [--postgres postgres://postgres@127.0.0.1:5432/db]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { admin, core, service } from "@aloft/idl";
import { defaultConfig, startAloft } from "@aloft/server";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const rows = Number(arg("rows") ?? 100_000);
const queries = Number(arg("queries") ?? 200);
const postgres = arg("postgres");

const dir = mkdtempSync(join(tmpdir(), "aloft-bench-list-"));
const aloft = await startAloft({ ...defaultConfig(), port: 0, dataDir: dir, logLevel: "silent", ...(postgres ? { databaseUrl: postgres } : {}) });
const ctx = await aloft.ready;

// Rows are inserted directly (the API would take far longer to create 100k): realistic specs and closures,
// spread over phases, launch plans and a month of creation times.
const phases = ["SUCCEEDED", "FAILED", "RUNNING", "QUEUED", "ABORTED"];
const spec = toBinary(admin.ExecutionSpecSchema, create(admin.ExecutionSpecSchema, { launchPlan: { resourceType: core.ResourceType.LAUNCH_PLAN, project: "flytesnacks", domain: "development", name: "lp", version: "v1" }, metadata: { mode: 0 } }));
const t0 = Date.parse("2026-01-01T00:00:00Z");
const tIns = performance.now();
for (let i = 0; i < rows; i += 1000) {
  const batch = [];
  for (let j = i; j < Math.min(rows, i + 1000); j++) {
    const phase = phases[j % phases.length]!;
    const createdAt = new Date(t0 + j * 26_000);
    const closure = toBinary(admin.ExecutionClosureSchema, create(admin.ExecutionClosureSchema, { phase: core.WorkflowExecution_Phase[phase as "SUCCEEDED"] }));
    batch.push({
      project: "flytesnacks", domain: "development", name: `b${j.toString(36).padStart(8, "0")}`, phase, spec, closure,
      launch_plan_project: "flytesnacks", launch_plan_domain: "development", launch_plan_name: `lp${j % 20}`, launch_plan_version: "v1",
      workflow_project: "flytesnacks", workflow_domain: "development", workflow_name: `wf${j % 20}`, workflow_version: "v1",
      task_name: "", task_version: "", mode: 0, state: 0, principal: "bench", cluster: "", error_kind: null, error_code: null,
      inputs_uri: "", user_inputs_uri: "", source_execution: null, parent_node_execution: null, started_at: createdAt, duration_ms: j % 5000,
      created_at: createdAt, updated_at: createdAt,
    });
  }
  await ctx.db.insertInto("admin_executions").values(batch).execute();
}
const { sql } = await import("kysely");
await sql`analyze admin_executions`.execute(ctx.db);
console.log(`inserted ${rows} executions in ${((performance.now() - tIns) / 1000).toFixed(1)}s (${postgres ? "PostgreSQL" : "embedded PGlite"})`);

const client = createClient(service.AdminService, createGrpcTransport({ baseUrl: aloft.server.url }));
const filters = [
  "eq(phase,SUCCEEDED)+gte(created_at,2026-01-10T00:00:00Z)",
  "eq(launch_plan.name,lp7)+value_in(phase,RUNNING;FAILED)",
  "eq(phase,RUNNING)+lt(created_at,2026-01-20T00:00:00Z)+gt(duration,1s)",
];
// The in-process figure calls the handler itself: the difference to gRPC is transport and encoding.
const { listExecutions } = await import("../packages/server/src/admin/executions/queries.ts");
for (const f of filters) {
  for (const mode of ["gRPC", "in-process"] as const) {
    const times: number[] = [];
    let n = 0;
    for (let q = 0; q < queries; q++) {
      const req = create(admin.ResourceListRequestSchema, { id: { project: "flytesnacks", domain: "development" }, limit: 100, filters: f, sortBy: { key: "created_at", direction: admin.Sort_Direction.DESCENDING } });
      const s = performance.now();
      const res = mode === "gRPC" ? await client.listExecutions(req) : await listExecutions(ctx, req);
      times.push(performance.now() - s);
      n = res.executions.length;
    }
    times.sort((a, b) => a - b);
    const p = (x: number) => times[Math.min(times.length - 1, Math.floor(times.length * x))]!.toFixed(1);
    console.log(`${mode.padEnd(10)} filter ${f}: ${n} rows/page, p50 ${p(0.5)} ms, p95 ${p(0.95)} ms, p99 ${p(0.99)} ms over ${queries} queries`);
  }
}
await aloft.close();
rmSync(dir, { recursive: true, force: true });
