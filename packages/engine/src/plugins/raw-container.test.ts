import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core, lit, types } from "@aloft/idl";
import { MemoryBlobStore } from "../runtime/memory-blob-store.ts";
import { executionId, task } from "../testing/closures.ts";
import type { TaskExecutionContext } from "./plugin.ts";
import { rawContainerPlugin } from "./raw-container.ts";

const work = mkdtempSync(join(tmpdir(), "aloft-raw-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const plugin = rawContainerPlugin({ workDir: work });

function rawTask(script: string, outputs: Record<string, core.LiteralType>) {
  const t = task("raw", { a: types.integer(), s: types.string() }, outputs);
  if (t.target.case !== "container") throw new Error();
  t.target.value.command = ["sh", "-c", script];
  t.target.value.args = [];
  t.target.value.dataConfig = create(core.DataLoadingConfigSchema, { enabled: true, inputPath: "/var/inputs", outputPath: "/var/outputs", format: core.DataLoadingConfig_LiteralMapFormat.JSON });
  return t;
}

function ctxFor(t: core.TaskTemplate): TaskExecutionContext & { logs: string[] } {
  const logs: string[] = [];
  return {
    logs,
    task: t, executionId: executionId("raw"), actionKey: "proj/dev/raw/n0", nodeId: "n0", attempt: 0,
    inputs: create(core.LiteralMapSchema, { literals: { a: lit.integer(20), s: lit.string("hi") } }),
    inputsPath: "memory://m/in.pb", inputsUri: async () => "memory://m/in.pb",
    outputPrefix: "memory://m/out", rawOutputPrefix: "memory://raw/n0", checkpointPrefix: "", prevCheckpointPrefix: "",
    interruptible: false, signal: new AbortController().signal, log: { write: (s, t) => void logs.push(`${s}:${t}`) }, blobStore: new MemoryBlobStore(), environment: {},
  };
}

describe("raw container plugin", () => {
  it("records each attempt's captured output through the engine", async () => {
    const { createEngine } = await import("../engine.ts");
    const { closure, taskNode, scalarBinding } = await import("../testing/closures.ts");
    const blobs = new MemoryBlobStore();
    const t = rawTask('echo "hello from $(cat /var/inputs/s)"; echo 1 > /var/outputs/o', { o: types.integer() });
    const engine = createEngine({ store: "memory", blobStore: blobs, plugins: [plugin] });
    await engine.start();
    const id = executionId("rawlogs");
    const node = taskNode("n0", t, { a: scalarBinding(lit.integer(1)), s: scalarBinding(lit.string("raw")) });
    await engine.createExecution({ id, closure: closure({ name: "w", nodes: [node] }, [t]), inputs: create(core.LiteralMapSchema, {}) });
    expect((await engine.wait(id)).phase).toBe("SUCCEEDED");
    const [attempt] = await engine.listTaskAttempts(id);
    expect(new TextDecoder().decode(await blobs.get(attempt!.logUri!))).toBe("hello from raw\n");
    await engine.stop();
  });

  it("writes inputs as files, runs the command and reads typed outputs back", async () => {
    const t = rawTask('echo "running $(cat /var/inputs/s)"; expr $(cat /var/inputs/a) + 1 > /var/outputs/o; cat /var/inputs/inputs.json > /var/outputs/j', { o: types.integer(), j: types.string() });
    expect(plugin.canHandle(t)).toBe(true);
    const ctx = ctxFor(t);
    const r = await plugin.execute(ctx);
    expect(r.kind).toBe("success");
    if (r.kind !== "success") return;
    expect(r.outputs.literals.o).toEqual(lit.integer(21));
    const j = r.outputs.literals.j!;
    expect(j.value.case === "scalar" && j.value.value.value.case === "primitive" && JSON.parse(String(j.value.value.value.value.value.value))).toEqual({ a: 20, s: "hi" });
    expect(ctx.logs.join("")).toContain("stdout:running hi");
  });

  it("reports the error file as a user error and a bad output as a clear error", async () => {
    const failing = await plugin.execute(ctxFor(rawTask("echo 'bad a' > /var/outputs/error", { o: types.integer() })));
    expect(failing).toMatchObject({ kind: "failure", error: { kind: "USER", message: "bad a\n" } });
    const wrong = await plugin.execute(ctxFor(rawTask("echo nope > /var/outputs/o", { o: types.integer() })));
    expect(wrong).toMatchObject({ kind: "failure", error: { message: 'output o: "nope" is not an integer' } });
    const missing = await plugin.execute(ctxFor(rawTask("true", { o: types.integer() })));
    expect(missing).toMatchObject({ kind: "failure", error: { message: "output o: the container wrote no file o in its output directory" } });
  });
});
