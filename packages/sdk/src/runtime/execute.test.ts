import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { core, lit } from "@aloft/idl";
import { compileDynamicJobSpec } from "@aloft/compiler";
import { FileSystemBlobStore } from "@aloft/storage";
import { beforeAll, describe, expect, it } from "vitest";
import { executeTask } from "./execute.ts";
import { runtimeArgs } from "../task.ts";
import { Serializer } from "../serialize/serializer.ts";
import * as P from "../serialize/testdata/pipeline.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const modulePath = "packages/sdk/src/serialize/testdata/pipeline.ts";
const args = (task: string) => runtimeArgs(modulePath, task);
const inputs = (m: Record<string, core.Literal>) => toBinary(core.LiteralMapSchema, create(core.LiteralMapSchema, { literals: m }));

let base: string;
beforeAll(async () => {
  base = `file://${await mkdtemp(join(tmpdir(), "aloft-rt-"))}`;
  process.env.ALOFT_PROJECT_ROOT = root;
  process.env.ALOFT_STORE = base;
});

describe("executeTask", () => {
  it("runs a task found by module and export name", async () => {
    const r = await executeTask({ args: args("square"), inputs: inputs({ n: lit.integer(7) }), outputPrefix: `${base}/out`, rawOutputPrefix: `${base}/raw` });
    expect("outputs" in r).toBe(true);
    const out = fromBinary(core.LiteralMapSchema, (r as { outputs: Uint8Array }).outputs);
    expect(out.literals.o0).toEqual(lit.integer(49));
  });

  it("fills an omitted optional input with null and returns named outputs", async () => {
    const r = await executeTask({ args: args("total"), inputs: inputs({ xs: lit.collection([lit.integer(1), lit.integer(2)]) }), outputPrefix: `${base}/o`, rawOutputPrefix: `${base}/raw` });
    const out = fromBinary(core.LiteralMapSchema, (r as { outputs: Uint8Array }).outputs);
    expect(out.literals.sum).toEqual(lit.integer(3));
    expect(out.literals.label).toEqual(lit.string("total"));
  });

  it("reports a missing input as a SYSTEM error naming it", async () => {
    const r = await executeTask({ args: args("square"), inputs: inputs({}), outputPrefix: `${base}/o`, rawOutputPrefix: `${base}/raw` });
    expect(r).toEqual({ error: { kind: "SYSTEM", code: "InputConversionFailed", message: "input n: missing from the task's inputs", recoverable: false } });
  });

  it("reports an unknown task", async () => {
    const r = await executeTask({ args: args("nope"), inputs: inputs({}), outputPrefix: `${base}/o`, rawOutputPrefix: `${base}/raw` });
    expect(r).toMatchObject({ error: { kind: "SYSTEM", code: "TaskNotFound", message: expect.stringContaining('has no exported task "nope"') } });
  });

  it("turns a dynamic task's graph into a DynamicJobSpec the compiler accepts", async () => {
    const r = await executeTask({ args: args("fanOut"), inputs: inputs({ n: lit.integer(3) }), outputPrefix: `${base}/o`, rawOutputPrefix: `${base}/raw` });
    expect("futures" in r).toBe(true);
    const spec = fromBinary(core.DynamicJobSpecSchema, (r as { futures: Uint8Array }).futures);
    expect(spec.nodes.map((n) => n.id)).toEqual(["dn0", "dn1", "dn2"]);
    expect(spec.minSuccesses).toBe(3n);
    expect(spec.outputs[0]?.binding?.value.case).toBe("collection");
    const s = new Serializer({ project: "p", domain: "d", version: "v", root });
    await s.task(P.fanOut);
    const parentTask = [...s.tasks.values()][0]!;
    const compiled = compileDynamicJobSpec(spec, { parentTask, project: "p", domain: "d", nodeId: "n0", version: "x" });
    expect(compiled.ok ? "ok" : compiled.errors.map((e) => e.message).join("\n")).toBe("ok");
  });
});

describe("aloft-task bin", () => {
  it("reads inputs.pb and writes outputs.pb, or error.pb with exit code 1", async () => {
    const store = new FileSystemBlobStore({ root: base });
    await store.put(`${base}/in/inputs.pb`, inputs({ n: lit.integer(5) }));
    const bin = resolve(root, "packages/cli/bin/aloft-task.js");
    const run = (task: string, out: string) =>
      promisify(execFile)(process.execPath, [bin, ...runtimeArgs(modulePath, task).slice(1).map((a) => a
        .replace("{{.input}}", `${base}/in/inputs.pb`).replace("{{.outputPrefix}}", `${base}/${out}`).replace("{{.rawOutputDataPrefix}}", `${base}/raw`))],
      { cwd: root, env: { ...process.env, ALOFT_STORE: base } });
    await run("double", "ok");
    const out = fromBinary(core.LiteralMapSchema, (await store.get(`${base}/ok/outputs.pb`))!);
    expect(out.literals.o0).toEqual(lit.integer(10));
    await expect(run("total", "bad")).rejects.toMatchObject({ code: 1 });
    const err = fromBinary(core.ErrorDocumentSchema, (await store.get(`${base}/bad/error.pb`))!);
    expect(err.error?.message).toContain("input xs");
    expect(err.error?.origin).toBe(core.ExecutionError_ErrorKind.SYSTEM);
  }, 30_000);

  it("runs a task from a fast-registration code bundle", async () => {
    const store = new FileSystemBlobStore({ root: base });
    const bundle = `${base}/bundles/${Date.now()}.mjs`;
    await store.put(bundle, new TextEncoder().encode(
      'import { t, task } from "@aloft/sdk";\nexport const triple = task({ name: "bundle.triple", inputs: { n: t.int() }, outputs: t.int() }, ({ n }) => 3 * n);\n',
    ));
    await store.put(`${base}/in2/inputs.pb`, inputs({ n: lit.integer(4) }));
    const bin = resolve(root, "packages/cli/bin/aloft-task.js");
    await promisify(execFile)(process.execPath, [bin, "--inputs", `${base}/in2/inputs.pb`, "--output-prefix", `${base}/bundled`, "--raw-output-data-prefix", `${base}/raw`,
      "--module", "not/used.ts", "--task", "triple", "--code-bundle", bundle], { cwd: root, env: { ...process.env, ALOFT_STORE: base, ALOFT_PROJECT_ROOT: root } });
    const out = fromBinary(core.LiteralMapSchema, (await store.get(`${base}/bundled/outputs.pb`))!);
    expect(out.literals.o0).toEqual(lit.integer(12));
  }, 30_000);
});
