// Child process of the crash test: runs the engine on a durable store, (re)creates the test
// executions (idempotent by id) and waits for them. The parent SIGKILLs it at random moments.
//   tsx crash-child.ts <pglite:dir | postgres:url> <blob dir>
import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { core, lit, types } from "@aloft/idl";
import { FileSystemBlobStore } from "@aloft/storage";
import { createEngine, engineMigrations, openDatabase, type TaskPlugin } from "../../src/index.ts";
import { crashWorkload } from "./crash-workload.ts";

const [target, blobDir] = process.argv.slice(2);
if (!target || !blobDir) throw new Error("usage: crash-child <pglite:dir|postgres:url> <blob dir>");
const db = target.startsWith("pglite:")
  ? await openDatabase({ dataDir: target.slice("pglite:".length), migrations: engineMigrations })
  : await openDatabase({ url: target.slice("postgres:".length), migrations: engineMigrations });

// o = x + 1 (checked for correctness); run = a nonce per attempt, so a re-run of a node whose
// output was already recorded would show up as a changed output.
const plugin: TaskPlugin = {
  name: "crash-test",
  canHandle: () => true,
  async execute(ctx) {
    await new Promise((r) => setTimeout(r, 2 + Math.random() * 10));
    const x = ctx.inputs.literals.x;
    const v = x?.value.case === "scalar" && x.value.value.value.case === "primitive" && x.value.value.value.value.value.case === "integer" ? x.value.value.value.value.value.value : 0n;
    return { kind: "success", outputs: create(core.LiteralMapSchema, { literals: { o: lit.integer(v + 1n), run: lit.string(randomBytes(6).toString("hex")) } }) };
  },
};
void types;
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
await engine.stop();
await db.close();
process.exit(0);
