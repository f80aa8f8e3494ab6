// Child process of the crash test: runs the engine on a durable store, (re)creates the test
// executions (idempotent by id) and waits for them. The parent SIGKILLs it at random moments.
//   tsx crash-child.ts <pglite:dir | postgres:url> <blob dir> [--exit-when-done]
// Without --exit-when-done it stays up (idle) after DONE, so every kill hits a live engine.
import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { core, lit, types } from "@aloft/idl";
import { FileSystemBlobStore } from "@aloft/storage";
import { createEngine, engineMigrations, openDatabase, type TaskPlugin } from "../../src/index.ts";
import { crashWorkload, FAN_BATCH, fanInput, inc } from "./crash-workload.ts";

const [target, blobDir, exitFlag] = process.argv.slice(2);
if (!target || !blobDir) throw new Error("usage: crash-child <pglite:dir|postgres:url> <blob dir>");
const db = target.startsWith("pglite:")
  ? await openDatabase({ dataDir: target.slice("pglite:".length), migrations: engineMigrations })
  : await openDatabase({ url: target.slice("postgres:".length), migrations: engineMigrations });

// The node outputs recorded before this start (after the previous kill), for the parent to check
// that none went missing or changed: on PGlite the parent cannot open the directory between kills
// without paying another start-up.
const recorded = await db.kysely
  .selectFrom("aloft_actions")
  .select(["key", "outputs_uri", "outputs"])
  .where("phase", "=", "SUCCEEDED")
  .where("kind", "in", ["node", "subtask", "call"])
  .execute();
const encoded = recorded.map((r) => ({ ...r, outputs: r.outputs ? Buffer.from(r.outputs as Uint8Array).toString("base64") : null }));
process.stdout.write(`RECORDED ${JSON.stringify(encoded)}\n`);

// o = x + 1 (checked for correctness); run = a nonce per attempt, so a re-run of a node whose
// output was already recorded would show up as a changed output.
const plugin: TaskPlugin = {
  name: "crash-test",
  canHandle: () => true,
  async execute(ctx) {
    if (ctx.task.id?.name === "fan") return fan(ctx);
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
    const x = ctx.inputs.literals.x;
    const v = x?.value.case === "scalar" && x.value.value.value.case === "primitive" && x.value.value.value.value.value.case === "integer" ? x.value.value.value.value.value.value : 0n;
    return { kind: "success", outputs: create(core.LiteralMapSchema, { literals: { o: lit.integer(v + 1n), run: lit.string(randomBytes(6).toString("hex")) } }) };
  },
};
void types;

const intOf = (l: core.Literal | undefined) =>
  l?.value.case === "scalar" && l.value.value.value.case === "primitive" && l.value.value.value.value.value.case === "integer" ? l.value.value.value.value.value.value : 0n;

/** The Flyte 2 task: calls inc batch after batch, each call a child action; a re-run re-attaches to them. */
async function fan(ctx: Parameters<TaskPlugin["execute"]>[0]): ReturnType<TaskPlugin["execute"]> {
  const n = Number(intOf(ctx.inputs.literals.n));
  let sum = 0n;
  for (let i = 0; i < n; i += FAN_BATCH) {
    const batch = Array.from({ length: Math.min(FAN_BATCH, n - i) }, (_, j) => ctx.actions!.call({ task: inc, inputs: fanInput(i + j) }));
    for (const o of await Promise.all(batch)) {
      if (o.phase !== "SUCCEEDED") return { kind: "failure", error: { ...o.error, recoverable: false } };
      sum += intOf(o.outputs.literals.o);
    }
  }
  return { kind: "success", outputs: create(core.LiteralMapSchema, { literals: { o: lit.integer(sum), run: lit.string(randomBytes(6).toString("hex")) } }) };
}
const engine = createEngine({ store: db, blobStore: new FileSystemBlobStore({ root: `file://${blobDir}` }), plugins: [plugin], metadataPrefix: `file://${blobDir}/metadata` });
await engine.start();
const work = crashWorkload();
for (const w of work) await engine.createExecution({ id: w.id, closure: w.closure, inputs: w.inputs });
process.stdout.write("STARTED\n");
for (const w of work) {
  const r = await engine.wait(w.id);
  if (r.phase !== "SUCCEEDED") {
    process.stdout.write(`FAILED ${w.id.name} ${r.phase} ${r.error?.message}\n`);
    process.exit(1);
  }
}
process.stdout.write("DONE\n");
if (exitFlag !== "--exit-when-done") await new Promise(() => setInterval(() => {}, 60_000));
await engine.stop();
await db.close();
process.exit(0);
