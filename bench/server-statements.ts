// SQL statements per one-node execution through the control plane (embedded PGlite, the real engine): runs
// --count executions from --clients concurrent in-process callers and counts every statement the database gets,
// by kind and table. Prints figures; asserts nothing.
//   npx tsx bench/server-statements.ts [--count 500] [--clients 32]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { admin } from "@aloft/idl";
import { defaultConfig, startAloft } from "@aloft/server";
import { PGliteWorker } from "../packages/engine/src/db/pglite-dialect.ts";
import { echoEntities, intLiteral } from "../packages/server/test/fixtures/echo.ts";
import { createExecution } from "../packages/server/src/admin/executions/create.ts";
import { createTask } from "../packages/server/src/admin/tasks.ts";
import { createWorkflow } from "../packages/server/src/admin/workflows.ts";
import { createLaunchPlan } from "../packages/server/src/admin/launch-plans.ts";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const count = arg("count", 500);
const clients = arg("clients", 32);

const counts = new Map<string, number>();
// Round-trip milliseconds per kind: with one caller (--clients 1) the worker is mostly idle, so this is near the
// statement's own cost in PGlite; with many callers it includes waiting behind others.
const millis = new Map<string, number>();
let counting = false;
const original = PGliteWorker.prototype.query;
PGliteWorker.prototype.query = function (this: PGliteWorker, sql: string, params: readonly unknown[]) {
  if (counting) {
    const s = sql.trim().toLowerCase();
    const verb = s.split(/\s+/)[0]!;
    const table = /(?:from|into|update|table)\s+"?([a-z_]+)"?/.exec(s)?.[1] ?? "";
    const k = `${verb} ${table}`.trim();
    counts.set(k, (counts.get(k) ?? 0) + 1);
    const t = performance.now();
    const done = () => millis.set(k, (millis.get(k) ?? 0) + performance.now() - t);
    const p = original.call(this, sql, params);
    p.then(done, done);
    return p as never;
  }
  return original.call(this, sql, params) as never;
} as typeof original;

const dir = mkdtempSync(join(tmpdir(), "aloft-bench-"));
const aloft = await startAloft({ ...defaultConfig(), port: 0, dataDir: dir, logLevel: "silent" });
const ctx = await aloft.ready;
const e = echoEntities("flytesnacks", "development", "bench");
await createTask(ctx, e.task);
await createWorkflow(ctx, e.workflow);
await createLaunchPlan(ctx, e.launchPlan);
const request = () => create(admin.ExecutionCreateRequestSchema, { project: "flytesnacks", domain: "development", spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(1) } } });

counting = true;
let started = 0;
await Promise.all(
  Array.from({ length: clients }, async () => {
    while (started < count) {
      started++;
      await createExecution(ctx, request());
    }
  }),
);
// The polling query itself is not counted.
const done = async () => {
  counting = false;
  const n = Number((await ctx.db.selectFrom("admin_executions").select((eb) => eb.fn.countAll<number>().as("n")).where("phase", "=", "SUCCEEDED").executeTakeFirstOrThrow()).n);
  counting = true;
  return n;
};
while ((await done()) < count) await new Promise((r) => setTimeout(r, 100));
counting = false;
const total = [...counts.values()].reduce((a, b) => a + b, 0);
console.log(`${count} executions, ${clients} callers: ${total} statements, ${(total / count).toFixed(2)} per execution`);
for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`  ${(n / count).toFixed(3)}  ${k}  (${((millis.get(k) ?? 0) / n).toFixed(2)} ms each, ${((millis.get(k) ?? 0) / count).toFixed(3)} ms per execution)`);
await aloft.close();
rmSync(dir, { recursive: true, force: true });
