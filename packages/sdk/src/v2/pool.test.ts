// Flyte 2 tasks in the engine's warm worker pool (as `aloft start` runs registered TypeScript tasks): the calls a
// task makes in a worker thread reach the engine on the main thread and become child actions.
import { afterAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { createEngine, TypeScriptPlugin } from "@aloft/engine";
import { FileSystemBlobStore } from "@aloft/storage";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { typescriptRuntimeUrl } from "../runtime/url.ts";
import { Serializer } from "../serialize/serializer.ts";
import { t } from "../types/t.ts";
import { reachableTasks } from "./run.ts";
import { fan, fanWorkflow } from "./testdata/pool-flow.ts";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const plugin = new TypeScriptPlugin({ runtime: typescriptRuntimeUrl, workers: 1 });
const dir = mkdtempSync(join(tmpdir(), "aloft-v2-pool-"));
afterAll(async () => {
  await plugin.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Flyte 2 tasks in the worker pool", () => {
  it("runs a task's calls, trace and a caught child failure from a worker thread as child actions", async () => {
    const s = new Serializer({ project: "p", domain: "d", version: "v1", root });
    const { id } = await s.workflow(fanWorkflow);
    for (const task of reachableTasks(fan)) await s.task(task);
    const closure = s.compile(id.name);
    const base = `file://${dir}`;
    const engine = createEngine({ store: "memory", blobStore: new FileSystemBlobStore({ root: base }), plugins: [plugin], metadataPrefix: `${base}/metadata`, rawOutputPrefix: `${base}/raw` });
    await engine.start();
    const exec = create(core.WorkflowExecutionIdentifierSchema, { project: "p", domain: "d", name: "pool1" });
    const inputs = create(core.LiteralMapSchema, { literals: { n: await t.int().toLiteral(5, undefined as never, "n") } });
    await engine.createExecution({ id: exec, closure, inputs });
    const r = await engine.wait(exec);
    expect(r.error?.message ?? "").toBe("");
    expect(r.phase).toBe("SUCCEEDED");
    const sum = r.outputs?.literals.sum;
    expect(await t.int().fromLiteral(sum!, undefined as never, "sum")).toBe(20 + 500);
    expect(await t.string().fromLiteral(r.outputs!.literals.caught!, undefined as never, "caught")).toBe("Negative");
    const actions = await engine.listNodeExecutions(exec);
    expect(actions.filter((a) => a.kind === "call")).toHaveLength(6);
    expect(actions.filter((a) => a.kind === "trace")).toHaveLength(1);
    // The templates the worker serialized are the closure's: no copy is kept in the children's records.
    expect(actions.filter((a) => a.kind === "call" && (a.state as { call: { template?: string } }).call.template)).toHaveLength(0);
    await engine.stop();
  });
});
