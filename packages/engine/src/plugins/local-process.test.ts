import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { core, lit, types } from "@aloft/idl";
import { createBlobStore } from "@aloft/storage";
import { task } from "../testing/closures.ts";
import { ARRAY_INDEX_VAR, localProcessPlugin, type LocalProcessPluginOptions } from "./local-process.ts";
import type { TaskExecutionContext } from "./plugin.ts";

// Stands in for flytekit's entrypoints: records what it was started with, then writes the prepared file
// FAKE_WRITE as <--output-prefix>/FAKE_NAME, or exits with FAKE_EXIT.
const FAKE = `#!/usr/bin/env node
const fs = require("node:fs");
const argv = process.argv.slice(2);
const arg = (f) => argv[argv.indexOf(f) + 1];
const path = (u) => u.replace(/^file:\\/\\//, "");
fs.writeFileSync(process.env.FAKE_RECORD, JSON.stringify({ argv, cwd: process.cwd(), env: process.env, inputs: fs.readFileSync(path(arg("--inputs"))).toString("base64") }));
// What flytekit does: temporary files under TMPDIR, left for the platform to clean.
fs.mkdirSync(process.env.TMPDIR + "/flyte-abc", { recursive: true });
fs.writeFileSync(process.env.TMPDIR + "/flyte-abc/engine_dir.pb", "x");
if (process.env.FAKE_EXIT) { process.stderr.write("Traceback: boom\\n"); process.exit(Number(process.env.FAKE_EXIT)); }
fs.mkdirSync(path(arg("--output-prefix")), { recursive: true });
fs.copyFileSync(process.env.FAKE_WRITE, path(arg("--output-prefix")) + "/" + process.env.FAKE_NAME);
`;

// The args flytekit 1.16 registers for a fast-registered task and for a map task (ArrayNode).
const fastArgs = (inner: string, loader: string[]) => [
  "pyflyte-fast-execute", "--additional-distribution", "file:///tmp/blobs/uploads/flytesnacks/development/SYQX3OZ7CYC4ZFXWHLKEBCAPQM======/fast91f4.tar.gz",
  "--dest-dir", "/root", "--", inner, "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}",
  "--raw-output-data-prefix", "{{.rawOutputDataPrefix}}", "--checkpoint-path", "{{.checkpointOutputPrefix}}",
  "--prev-checkpoint", "{{.prevCheckpointPrefix}}", ...loader,
];
const PY_ARGS = fastArgs("pyflyte-execute", ["--resolver", "flytekit.core.python_auto_container.default_task_resolver", "--", "task-module", "hello_wf", "task-name", "square"]);
const MAP_ARGS = fastArgs("pyflyte-map-execute", [
  "--resolver", "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver", "--", "vars", "k",
  "resolver", "flytekit.core.python_auto_container.default_task_resolver", "task-module", "hello_wf", "task-name", "square",
]);

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function setup(extra: Partial<LocalProcessPluginOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "aloft-local-process-"));
  dirs.push(dir);
  // PATH finds only the fake, as the real server's PATH would find flytekit's wrappers.
  writeFileSync(join(dir, "pyflyte-fast-execute"), FAKE);
  chmodSync(join(dir, "pyflyte-fast-execute"), 0o755);
  const blobs = createBlobStore(pathToFileURL(join(dir, "blobs")).toString());
  const base = pathToFileURL(join(dir, "blobs")).toString();
  const record = join(dir, "record.json");
  const workDir = join(dir, "runs");
  const plugin = localProcessPlugin({ workDir, env: { PATH: `${dir}:${process.env.PATH ?? ""}`, FAKE_RECORD: record }, ...extra });
  const ctx = (t: core.TaskTemplate, inputs: core.LiteralMap, env: Record<string, string>): TaskExecutionContext => ({
    task: t,
    executionId: create(core.WorkflowExecutionIdentifierSchema, { project: "flytesnacks", domain: "development", name: "e1" }),
    actionKey: "flytesnacks/development/e1/n1/0",
    nodeId: "n1-0",
    attempt: 0,
    inputs,
    inputsPath: `${base}/e1/n1/inputs.pb`,
    inputsUri: async () => {
      const uri = `${base}/e1/n1/inputs.pb`;
      await blobs.put(uri, toBinary(core.LiteralMapSchema, inputs));
      return uri;
    },
    outputPrefix: `${base}/e1/n1/0`,
    rawOutputPrefix: `${base}/raw/e1/n1/0`,
    checkpointPrefix: `${base}/e1/n1/0/_flytecheckpoints`,
    prevCheckpointPrefix: "",
    interruptible: false,
    signal: new AbortController().signal,
    log: { write: () => {} },
    blobStore: blobs,
    environment: { ...env, FLYTE_INTERNAL_EXECUTION_ID: "e1", FLYTE_INTERNAL_TASK_NAME: t.id?.name ?? "" },
  });
  const prepare = (name: string, bytes: Uint8Array) => {
    const file = join(dir, `prepared-${name}`);
    writeFileSync(file, bytes);
    return { FAKE_WRITE: file, FAKE_NAME: name };
  };
  const recorded = () => JSON.parse(readFileSync(record, "utf8")) as { argv: string[]; cwd: string; env: Record<string, string>; inputs: string };
  return { plugin, ctx, prepare, recorded, base, workDir, dir };
}

const withArgs = (t: core.TaskTemplate, args: string[]) => {
  t.target = { case: "container", value: create(core.ContainerSchema, { image: "cr.flyte.org/flyteorg/flytekit:py3.11-1.16.24", args }) };
  return t;
};
const ints = (m: Record<string, number>) => create(core.LiteralMapSchema, { literals: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, lit.integer(v)])) });

describe("local-process task plugin", () => {
  it("runs a fast-registered flytekit task with propeller's template values and Flyte's environment", async () => {
    const { plugin, ctx, prepare, recorded, base, workDir } = setup();
    const t = withArgs(task("hello_wf.square", { x: types.integer() }, { o0: types.integer() }), PY_ARGS);
    expect(plugin.canHandle(t)).toBe(true);
    const r = await plugin.execute(ctx(t, ints({ x: 7 }), prepare("outputs.pb", toBinary(core.LiteralMapSchema, ints({ o0: 49 })))));
    expect(r).toMatchObject({ kind: "success" });
    expect(r.kind === "success" && r.outputs.literals.o0?.value.case === "scalar").toBe(true);
    const rec = recorded();
    const after = (f: string) => rec.argv[rec.argv.indexOf(f) + 1];
    // Paths, not file:// URLs: pandas and os.path open paths for writing, not URLs (see local-paths.ts).
    expect(after("--inputs")).toBe(fileURLToPath(`${base}/e1/n1/inputs.pb`));
    expect(after("--output-prefix")).toBe(fileURLToPath(`${base}/e1/n1/0`));
    expect(after("--raw-output-data-prefix")).toBe(fileURLToPath(`${base}/raw/e1/n1/0`));
    expect(after("--checkpoint-path")).toBe(fileURLToPath(`${base}/e1/n1/0/_flytecheckpoints`));
    expect(after("--prev-checkpoint")).toBe('""');
    // The code is unpacked into the attempt's own directory, not the image's /root.
    expect(after("--dest-dir")).toBe(rec.cwd);
    expect(rec.cwd.startsWith(workDir)).toBe(true);
    expect(rec.env).toMatchObject({ FLYTE_INTERNAL_EXECUTION_ID: "e1", FLYTE_INTERNAL_TASK_NAME: "hello_wf.square" });
    expect(rec.argv.join(" ")).not.toContain("{{");
    expect(readdirSync(workDir)).toEqual([]);
  });

  it("hands a map task's item to pyflyte-map-execute as one-element lists at index 0, bound inputs as they are", async () => {
    const { plugin, ctx, prepare, recorded } = setup();
    const t = withArgs(task("hello_wf.map_square-arraynode", { x: types.list(types.integer()), k: types.integer() }, { o0: types.list(types.integer()) }), MAP_ARGS);
    const r = await plugin.execute(ctx(t, ints({ x: 3, k: 100 }), prepare("outputs.pb", toBinary(core.LiteralMapSchema, ints({ o0: 109 })))));
    expect(r.kind).toBe("success");
    const rec = recorded();
    expect(rec.env.BATCH_JOB_ARRAY_INDEX_VAR_NAME).toBe(ARRAY_INDEX_VAR);
    expect(rec.env[ARRAY_INDEX_VAR]).toBe("0");
    const given = fromBinary(core.LiteralMapSchema, Buffer.from(rec.inputs, "base64"));
    expect(given.literals.x?.value.case).toBe("collection");
    expect(given.literals.x?.value.case === "collection" && given.literals.x.value.value.literals.length).toBe(1);
    expect(given.literals.k?.value.case).toBe("scalar");
  });

  it("hands flytekit a FlyteFile uploaded to a filesystem store as a path, not a file:// URI", async () => {
    const { plugin, ctx, prepare, recorded, base } = setup();
    const t = withArgs(task("hello_wf.count_lines", { f: types.blob() }, { o0: types.integer() }), PY_ARGS);
    // What `pyflyte run --remote … count_lines --f three.txt` sends: the blob URI is CreateUploadLocation's native_url.
    const uploaded = `${base}/uploads/flytesnacks/development/LI4HURDMPSZQIWVLTOPC5XDAFA======/three.txt`;
    const blob = create(core.LiteralSchema, { value: { case: "scalar", value: { value: { case: "blob", value: { uri: uploaded, metadata: { type: { dimensionality: core.BlobType_BlobDimensionality.SINGLE } } } } } } });
    const inputs = create(core.LiteralMapSchema, { literals: { f: blob } });
    const r = await plugin.execute(ctx(t, inputs, prepare("outputs.pb", toBinary(core.LiteralMapSchema, ints({ o0: 3 })))));
    expect(r.kind).toBe("success");
    const given = fromBinary(core.LiteralMapSchema, Buffer.from(recorded().inputs, "base64"));
    const f = given.literals.f?.value;
    expect(f?.case === "scalar" && f.value.value.case === "blob" && f.value.value.value.uri).toBe(fileURLToPath(uploaded));
    // The engine's own record of the inputs keeps the URI.
    const kept = inputs.literals.f?.value;
    expect(kept?.case === "scalar" && kept.value.value.case === "blob" && kept.value.value.value.uri).toBe(uploaded);
  });

  it("hands StructuredDatasets and multipart blobs in as paths and turns the paths the process wrote back into file:// URIs", async () => {
    const { plugin, ctx, prepare, recorded, base } = setup();
    const t = withArgs(task("sd_wf.summarize", { df: types.integer(), d: types.integer() }, { o0: types.integer(), o1: types.integer() }), PY_ARGS);
    const sdIn = `${base}/raw/e0/n0/0/abc`;
    const dirIn = `${base}/uploads/flytesnacks/development/XYZ/images`;
    const sd = (uri: string) => create(core.LiteralSchema, { value: { case: "scalar", value: { value: { case: "structuredDataset", value: { uri, metadata: { structuredDatasetType: { format: "csv" } } } } } } });
    const dir = (uri: string) => create(core.LiteralSchema, { value: { case: "scalar", value: { value: { case: "blob", value: { uri, metadata: { type: { dimensionality: core.BlobType_BlobDimensionality.MULTIPART } } } } } } });
    const inputs = create(core.LiteralMapSchema, { literals: { df: sd(sdIn), d: create(core.LiteralSchema, { value: { case: "collection", value: { literals: [dir(dirIn)] } } }) } });
    // What flytekit writes when its raw-output prefix is a path: outputs that name files by path.
    const rawDir = fileURLToPath(`${base}/raw/e1/n1/0`);
    const written = create(core.LiteralMapSchema, { literals: { o0: sd(`${rawDir}/k3j2`), o1: dir(`${rawDir}/dd9`) } });
    const r = await plugin.execute(ctx(t, inputs, prepare("outputs.pb", toBinary(core.LiteralMapSchema, written))));
    expect(r.kind).toBe("success");
    const given = fromBinary(core.LiteralMapSchema, Buffer.from(recorded().inputs, "base64"));
    const uriOf = (l: core.Literal | undefined): string | undefined => {
      const v = l?.value;
      if (v?.case === "collection") return uriOf(v.value.literals[0]);
      if (v?.case !== "scalar") return undefined;
      const s = v.value.value;
      return s.case === "blob" || s.case === "structuredDataset" ? s.value.uri : undefined;
    };
    expect(uriOf(given.literals.df)).toBe(fileURLToPath(sdIn));
    expect(uriOf(given.literals.d)).toBe(fileURLToPath(dirIn));
    const out = r.kind === "success" ? r.outputs.literals : {};
    expect(uriOf(out.o0)).toBe(`${base}/raw/e1/n1/0/k3j2`);
    expect(uriOf(out.o1)).toBe(`${base}/raw/e1/n1/0/dd9`);
  });

  it("turns paths in a dynamic task's bindings back into file:// URIs", async () => {
    const { plugin, ctx, prepare, base } = setup();
    const t = withArgs(task("dyn.files", { n: types.integer() }, { o0: types.integer() }), PY_ARGS);
    const path = fileURLToPath(`${base}/raw/e1/n1/0/part-1`);
    const spec = create(core.DynamicJobSpecSchema, {
      nodes: [{ id: "dn0", inputs: [{ var: "f", binding: { value: { case: "collection", value: { bindings: [{ value: { case: "scalar", value: { value: { case: "blob", value: { uri: path } } } } }] } } } }] }],
    });
    const r = await plugin.execute(ctx(t, ints({ n: 1 }), prepare("futures.pb", toBinary(core.DynamicJobSpecSchema, spec))));
    expect(r.kind).toBe("dynamic");
    const b = r.kind === "dynamic" ? r.spec.nodes[0]?.inputs[0]?.binding?.value : undefined;
    const item = b?.case === "collection" ? b.value.bindings[0]?.value : undefined;
    expect(item?.case === "scalar" && item.value.value.case === "blob" && item.value.value.value.uri).toBe(`${base}/raw/e1/n1/0/part-1`);
  });

  it("returns a dynamic task's futures.pb as its DynamicJobSpec", async () => {
    const { plugin, ctx, prepare } = setup();
    const t = withArgs(task("dyn.fan_out", { n: types.integer() }, { o0: types.integer() }), PY_ARGS);
    const spec = create(core.DynamicJobSpecSchema, { minSuccesses: 2n, nodes: [{ id: "dn0" }, { id: "dn1" }] });
    const r = await plugin.execute(ctx(t, ints({ n: 2 }), prepare("futures.pb", toBinary(core.DynamicJobSpecSchema, spec))));
    expect(r.kind).toBe("dynamic");
    expect(r.kind === "dynamic" && r.spec.nodes.map((n) => n.id)).toEqual(["dn0", "dn1"]);
  });

  it("reads error.pb: a user error that flytekit marks non-recoverable is not retried", async () => {
    const { plugin, ctx, prepare } = setup();
    const t = withArgs(task("hello_wf.square", { x: types.integer() }, { o0: types.integer() }), PY_ARGS);
    const doc = create(core.ErrorDocumentSchema, { error: { code: "USER:ValueError", message: "bad x", kind: core.ContainerError_Kind.NON_RECOVERABLE, origin: core.ExecutionError_ErrorKind.USER } });
    const r = await plugin.execute(ctx(t, ints({ x: 1 }), prepare("error.pb", toBinary(core.ErrorDocumentSchema, doc))));
    expect(r).toEqual({ kind: "failure", error: { kind: "USER", code: "USER:ValueError", message: "bad x", recoverable: false } });
  });

  it("fails with the process's stderr when it exits non-zero without an error document", async () => {
    const { plugin, ctx } = setup();
    const t = withArgs(task("hello_wf.square", { x: types.integer() }, { o0: types.integer() }), PY_ARGS);
    const r = await plugin.execute(ctx(t, ints({ x: 1 }), { FAKE_EXIT: "3" }));
    expect(r).toMatchObject({ kind: "failure", error: { kind: "USER", code: "ProcessFailed", recoverable: true } });
    expect(r.kind === "failure" && r.error.message).toContain("Traceback: boom");
  });

  it("passes only allowed server variables, the task's env and its declared secrets, never DATABASE_URL or AWS_*", async () => {
    const secrets = mkdtempSync(join(tmpdir(), "aloft-secrets-"));
    dirs.push(secrets);
    mkdirSync(join(secrets, "db"));
    writeFileSync(join(secrets, "db", "password"), "s3cret");
    const saved = { ...process.env };
    Object.assign(process.env, { DATABASE_URL: "postgres://u:pw@db/x", AWS_SECRET_ACCESS_KEY: "leak", ALOFT_DATABASE_URL: "postgres://x", LANG: "C.UTF-8", PYTHONPATH: "/opt/py", MY_TOOL_HOME: "/opt/tool" });
    try {
      const { plugin, ctx, prepare, recorded } = setup({ envAllow: ["PATH", "LANG", "PYTHON*", "MY_TOOL_*"], secretsDir: secrets });
      const t = withArgs(task("hello_wf.square", { x: types.integer() }, { o0: types.integer() }), PY_ARGS);
      if (t.target.case === "container") t.target.value.env = [create(core.KeyValuePairSchema, { key: "MODE", value: "fast" })];
      t.securityContext = create(core.SecurityContextSchema, { secrets: [{ group: "db", key: "password" }] });
      const r = await plugin.execute(ctx(t, ints({ x: 7 }), prepare("outputs.pb", toBinary(core.LiteralMapSchema, ints({ o0: 49 })))));
      expect(r.kind).toBe("success");
      const env = recorded().env;
      expect(env).toMatchObject({ LANG: "C.UTF-8", PYTHONPATH: "/opt/py", MY_TOOL_HOME: "/opt/tool", MODE: "fast", _FSEC_DB_PASSWORD: "s3cret" });
      expect(Object.keys(env).filter((k) => /DATABASE|AWS|ALOFT/.test(k))).toEqual([]);
      expect(env.HOME).toBeUndefined();
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it("fails a task whose declared secret is missing, naming it", async () => {
    const { plugin, ctx } = setup({ secretsDir: join(tmpdir(), "aloft-no-such-secrets") });
    const t = withArgs(task("hello_wf.square", { x: types.integer() }, { o0: types.integer() }), PY_ARGS);
    t.securityContext = create(core.SecurityContextSchema, { secrets: [{ group: "db", key: "password" }] });
    const r = await plugin.execute(ctx(t, ints({ x: 7 }), {}));
    expect(r).toMatchObject({ kind: "failure", error: { kind: "USER", code: "SecretNotFound", recoverable: false } });
    expect(r.kind === "failure" && r.error.message).toContain("db/password");
  });

  it("rejects an allow-list entry that is not a variable name", () => {
    expect(() => setup({ envAllow: ["PATH", "A B"] })).toThrow(/taskEnvAllow\[1\]/);
  });

  it("gives each attempt a private working directory and TMPDIR, removed when it ends; kept on failure when asked", async () => {
    const { plugin, ctx, prepare, recorded, workDir } = setup();
    const t = withArgs(task("hello_wf.square", { x: types.integer() }, { o0: types.integer() }), PY_ARGS);
    const r = await plugin.execute(ctx(t, ints({ x: 7 }), prepare("outputs.pb", toBinary(core.LiteralMapSchema, ints({ o0: 49 })))));
    expect(r.kind).toBe("success");
    const rec = recorded();
    expect(rec.env.TMPDIR).toBe(join(rec.cwd, "tmp"));
    expect(rec.cwd.startsWith(`${workDir}/`)).toBe(true);
    expect(readdirSync(workDir)).toEqual([]);

    const kept = setup({ keepFailedWorkDirs: true });
    const failed = await kept.plugin.execute(kept.ctx(t, ints({ x: 1 }), { FAKE_EXIT: "3" }));
    expect(failed.kind).toBe("failure");
    const left = readdirSync(kept.workDir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^aloft-kept-/);
    expect(readdirSync(join(kept.workDir, left[0]!, "tmp"))).toEqual(["flyte-abc"]);
    const ok = await kept.plugin.execute(kept.ctx(t, ints({ x: 7 }), kept.prepare("outputs.pb", toBinary(core.LiteralMapSchema, ints({ o0: 49 })))));
    expect(ok.kind).toBe("success");
    expect(readdirSync(kept.workDir)).toEqual(left);
  });

  it("sweeps attempt directories of servers that are gone, and leaves a live server's", () => {
    const dir = mkdtempSync(join(tmpdir(), "aloft-sweep-"));
    dirs.push(dir);
    const workDir = join(dir, "runs");
    // pid 2^22+1 is above Linux's pid_max limit, so no process has it.
    const dead = join(workDir, "aloft-task-4194305-flytesnacks_development_e1_n0_a0-abc123");
    const live = join(workDir, `aloft-task-${process.ppid}-x_a0-def456`);
    for (const d of [dead, live, join(workDir, "aloft-kept-1-x_a0-aaa")]) mkdirSync(join(d, "tmp"), { recursive: true });
    localProcessPlugin({ workDir });
    expect(readdirSync(workDir).sort()).toEqual(["aloft-kept-1-x_a0-aaa", `aloft-task-${process.ppid}-x_a0-def456`]);
  });

  it("leaves raw containers (copilot data config) to another plugin", () => {
    const { plugin } = setup();
    const t = withArgs(task("raw", {}, {}), ["echo"]);
    if (t.target.case === "container") t.target.value.dataConfig = create(core.DataLoadingConfigSchema, { enabled: true });
    expect(plugin.canHandle(t)).toBe(false);
  });
});
