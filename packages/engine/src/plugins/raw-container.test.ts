import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import { core, lit, types } from "@aloft/idl";
import { MemoryBlobStore } from "../runtime/memory-blob-store.ts";
import { executionId, task } from "../testing/closures.ts";
import type { TaskExecutionContext, TaskResult } from "./plugin.ts";
import { rawContainerPlugin } from "./raw-container.ts";

const work = mkdtempSync(join(tmpdir(), "aloft-raw-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const plugin = rawContainerPlugin({ workDir: work });

/** A store that lists, as the filesystem and S3 stores do. */
class ListingStore extends MemoryBlobStore {
  async *list(prefix: string): AsyncIterable<{ uri: string; size: number }> {
    for (const [uri, b] of this.blobs) if (uri.startsWith(prefix)) yield { uri, size: b.length };
  }
}

const F = core.DataLoadingConfig_LiteralMapFormat;

function rawTask(
  script: string,
  outputs: Record<string, core.LiteralType>,
  o: { inputs?: Record<string, core.LiteralType>; format?: core.DataLoadingConfig_LiteralMapFormat; command?: string[]; env?: Record<string, string> } = {},
) {
  const t = task("raw", o.inputs ?? { a: types.integer(), s: types.string() }, outputs);
  if (t.target.case !== "container") throw new Error();
  t.target.value.command = o.command ?? ["sh", "-c", script];
  t.target.value.args = [];
  t.target.value.env = Object.entries(o.env ?? {}).map(([key, value]) => create(core.KeyValuePairSchema, { key, value }));
  t.target.value.dataConfig = create(core.DataLoadingConfigSchema, { enabled: true, inputPath: "/var/inputs", outputPath: "/var/outputs", format: o.format ?? F.JSON });
  return t;
}

function ctxFor(
  t: core.TaskTemplate,
  o: { inputs?: Record<string, core.Literal>; blobStore?: MemoryBlobStore; environment?: Record<string, string>; signal?: AbortSignal } = {},
): TaskExecutionContext & { logs: string[] } {
  const logs: string[] = [];
  return {
    logs,
    task: t, executionId: executionId("raw"), actionKey: "proj/dev/raw/n0", nodeId: "n0", attempt: 0,
    inputs: create(core.LiteralMapSchema, { literals: o.inputs ?? { a: lit.integer(20), s: lit.string("hi") } }),
    inputsPath: "memory://m/in.pb", inputsUri: async () => "memory://m/in.pb",
    outputPrefix: "memory://m/out", rawOutputPrefix: "memory://raw/n0", checkpointPrefix: "", prevCheckpointPrefix: "",
    interruptible: false, signal: o.signal ?? new AbortController().signal, log: { write: (s, x) => void logs.push(`${s}:${x}`) },
    blobStore: o.blobStore ?? new MemoryBlobStore(), environment: o.environment ?? {},
  };
}

async function outputs(r: Promise<TaskResult>): Promise<Record<string, core.Literal>> {
  const res = await r;
  if (res.kind !== "success") throw new Error(`expected success, got ${JSON.stringify(res)}`);
  return res.outputs.literals;
}

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

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
    const out = await outputs(plugin.execute(ctx));
    expect(out.o).toEqual(lit.integer(21));
    expect(out.j).toEqual(lit.string('{"a":20,"s":"hi"}'));
    expect(ctx.logs.join("")).toContain("stdout:running hi");
  });

  it("writes every primitive as text and inputs.json with exact 64-bit integers", async () => {
    const inputs = { i: types.integer(), f: types.float(), b: types.boolean(), d: types.datetime(), du: types.duration(), n: types.none(), l: types.list(types.integer()), st: types.struct(), u: types.union(types.integer(), types.string()), mp: types.struct() };
    const t = rawTask("cd /var/inputs; for v in i f b d du n l st u mp; do printf '%s=%s;' $v \"$(cat $v)\"; done > /var/outputs/all; cat inputs.json > /var/outputs/j", { all: types.string(), j: types.string() }, { inputs });
    const ts = create(TimestampSchema, { seconds: 1706702400n, nanos: 5000 });
    const out = await outputs(plugin.execute(ctxFor(t, { inputs: {
      i: lit.integer(9007199254740993n), f: lit.float(0.5), b: lit.boolean(true), d: lit.datetime(ts), du: lit.duration(90_500), n: lit.none(),
      l: lit.collection([lit.integer(1), lit.integer(2)]), st: lit.struct({ k: "v" }), u: lit.union(lit.string("w"), types.string()),
      mp: lit.binary(new Uint8Array([0x81, 0xa1, 0x6b, 0x01]), "msgpack"),
    } })));
    expect(out.all).toEqual(lit.string('i=9007199254740993;f=0.5;b=true;d=2024-01-31T12:00:00.000005Z;du=90.5s;n=null;l=[1,2];st={"k":"v"};u=w;mp={"k":1};'));
    expect(out.j).toEqual(lit.string('{"i":9007199254740993,"f":0.5,"b":true,"d":"2024-01-31T12:00:00.000005Z","du":"90.5s","n":null,"l":[1,2],"st":{"k":"v"},"u":"w","mp":{"k":1}}'));
  });

  it("writes inputs.yaml for YAML and only inputs.pb for PROTO", async () => {
    const ls = "ls /var/inputs | tr '\\n' ' ' > /var/outputs/o";
    expect((await outputs(plugin.execute(ctxFor(rawTask(ls, { o: types.string() }, { format: F.YAML }))))).o).toEqual(lit.string("a inputs.pb inputs.yaml s "));
    expect((await outputs(plugin.execute(ctxFor(rawTask(ls, { o: types.string() }, { format: F.PROTO }))))).o).toEqual(lit.string("a inputs.pb s "));
  });

  it("substitutes {{.inputs.x}} and rewrites the container directories only as whole paths, once", async () => {
    const t = rawTask("", { o: types.string(), p: types.string() }, {
      command: ["sh", "-c", 'printf %s "{{ .inputs.s }}|{{.inputs.a}}|/var/inputs_x" > /var/outputs/o; printf %s "$0" > /var/outputs/p', "/var/outputs"],
    });
    // The string input names the output directory: a substituted value is not rewritten again.
    const out = await outputs(plugin.execute(ctxFor(t, { inputs: { a: lit.integer(3), s: lit.string("/var/outputs") } })));
    expect(out.o).toEqual(lit.string("/var/outputs|3|/var/inputs_x"));
    expect(JSON.stringify(out.p)).toMatch(/_a0-[^/"]+\/outputs"/);
    const unknown = await plugin.execute(ctxFor(rawTask("echo {{.inputs.nope}}", {})));
    expect(unknown).toMatchObject({ kind: "failure", error: { kind: "USER", message: "the command uses {{.inputs.nope}}, which is not an input" } });
  });

  it("downloads files and directories as inputs and uploads them as outputs", async () => {
    const store = new ListingStore();
    await store.put("memory://in/doc.txt", text("hello"));
    await store.put("memory://in/dir/a.txt", text("A"));
    await store.put("memory://in/dir/sub/b.txt", text("B"));
    const inputs = { doc: types.blob("txt"), dir: types.blob("", "multipart") };
    const t = rawTask(
      'tr a-z A-Z < /var/inputs/doc > /var/outputs/up; cp -r /var/inputs/dir /var/outputs/copy; echo C > /var/outputs/copy/c.txt; printf %s "{{.inputs.doc}}" > /var/outputs/path',
      { up: types.blob("txt"), copy: types.blob("", "multipart"), path: types.string() },
      { inputs },
    );
    const out = await outputs(plugin.execute(ctxFor(t, { blobStore: store, inputs: { doc: lit.blob("memory://in/doc.txt", { format: "txt" }), dir: lit.blob("memory://in/dir", { dimensionality: "multipart" }) } })));
    expect(out.up).toEqual(lit.blob("memory://raw/n0/up", { format: "txt" }));
    expect(decode(await store.get("memory://raw/n0/up"))).toBe("HELLO");
    expect(out.copy).toEqual(lit.blob("memory://raw/n0/copy", { dimensionality: "multipart" }));
    expect([...store.blobs.keys()].filter((k) => k.startsWith("memory://raw/n0/copy/")).sort()).toEqual(["memory://raw/n0/copy/a.txt", "memory://raw/n0/copy/c.txt", "memory://raw/n0/copy/sub/b.txt"]);
    expect(decode(await store.get("memory://raw/n0/copy/sub/b.txt"))).toBe("B");
    expect(JSON.stringify(out.path)).toMatch(/inputs\/doc"/);
  });

  it("says so when a directory input needs a store that cannot list", async () => {
    const t = rawTask("true", {}, { inputs: { dir: types.blob("", "multipart") } });
    const r = await plugin.execute(ctxFor(t, { inputs: { dir: lit.blob("memory://in/dir", { dimensionality: "multipart" }) } }));
    expect(r).toMatchObject({ kind: "failure", error: { kind: "SYSTEM", message: "input dir: the blob store cannot list memory://in/dir, and a directory input needs listing" } });
  });

  it("reads every output type by its declaration", async () => {
    const outs = {
      i: types.integer(), f: types.float(), inf: types.float(), b: types.boolean(), s: types.string(), d: types.datetime(), du: types.duration(),
      e: types.enumOf(["x", "y"]), l: types.list(types.integer()), m: types.map(types.float()), st: types.struct(), u: types.union(types.integer(), types.string()), n: types.none(), bin: types.binary(),
    };
    const script = [
      "cd /var/outputs", "echo 9007199254740993 > i", "echo 2.5 > f", "echo -inf > inf", "echo True > b", "printf 'two\\nlines\\n' > s", "echo 2024-01-31T12:00:00.25+01:00 > d",
      "echo 1h30m > du", "echo y > e", "echo '[1, 2]' > l", 'echo \'{"k": 1.5}\' > m', 'echo \'{"a": [1]}\' > st', "echo word > u", "echo null > n", "printf 'raw\\n' > bin",
    ].join("; ");
    const out = await outputs(plugin.execute(ctxFor(rawTask(script, outs))));
    expect(out).toEqual({
      i: lit.integer(9007199254740993n), f: lit.float(2.5), inf: lit.float(-Infinity), b: lit.boolean(true), s: lit.string("two\nlines"),
      d: lit.datetime(create(TimestampSchema, { seconds: 1706698800n, nanos: 250_000_000 })), du: lit.duration(5_400_000), e: lit.string("y"),
      l: lit.collection([lit.integer(1), lit.integer(2)]), m: lit.map({ k: lit.float(1.5) }), st: lit.struct({ a: [1] }), u: lit.union(lit.string("word"), types.string()),
      n: lit.none(), bin: lit.binary(text("raw\n")),
    });
  });

  it("names the variable when an output is missing, does not parse or has an unsupported type", async () => {
    const missing = await plugin.execute(ctxFor(rawTask("echo 1 > /var/outputs/other", { o: types.integer() })));
    expect(missing).toMatchObject({ kind: "failure", error: { kind: "USER", code: "MissingOutput", message: "output o was not written to the output directory (found: other)", recoverable: false } });
    const wrong = [
      [types.integer(), "nope", 'output o: expected an integer, got "nope"'],
      [types.boolean(), "maybe", 'output o: expected true or false, got "maybe"'],
      [types.duration(), "90", 'output o: expected a duration with units such as 90s, 1h30m or 250ms, got "90"'],
      [types.datetime(), "31/01/2024", 'output o: expected an ISO-8601 datetime such as 2024-01-31T12:00:00Z, got "31/01/2024"'],
      [types.list(types.integer()), "[1, 1.5]", "output o: [1]: expected integer, got float 1.5"],
      [types.map(types.integer()), "{", 'output o: expected a JSON object, got "{"'],
      [types.enumOf(["x"]), "z", 'output o: expected one of x, got "z"'],
    ] as const;
    for (const [type, written, message] of wrong) {
      const r = await plugin.execute(ctxFor(rawTask(`echo '${written}' > /var/outputs/o`, { o: type })));
      expect(r).toMatchObject({ kind: "failure", error: { kind: "USER", code: "BadOutput", message } });
    }
    const sd = await plugin.execute(ctxFor(rawTask("echo x > /var/outputs/o", { o: types.structuredDataset() })));
    expect(sd).toMatchObject({ kind: "failure", error: { kind: "USER", code: "UnsupportedType" } });
    expect(sd.kind === "failure" && sd.error.message).toMatch(/^output o: type .* is not supported by the raw container protocol$/);
    const dirForFile = await plugin.execute(ctxFor(rawTask("mkdir /var/outputs/o", { o: types.blob("csv") })));
    expect(dirForFile).toMatchObject({ kind: "failure", error: { code: "OutputTypeMismatch", message: "output o: expected a file for blob(csv, single), found a directory" } });
  });

  it("reports the error file, a failing command and a missing program as user errors", async () => {
    const failing = await plugin.execute(ctxFor(rawTask("echo 'bad a' > /var/outputs/error; exit 1", { o: types.integer() })));
    expect(failing).toMatchObject({ kind: "failure", error: { kind: "USER", code: "UserError", message: "bad a\n" } });
    const exit = await plugin.execute(ctxFor(rawTask("echo nope >&2; exit 4", { o: types.integer() })));
    expect(exit).toMatchObject({ kind: "failure", error: { kind: "USER", code: "ExitCode4", message: "sh exited with code 4: nope" } });
    const absent = await plugin.execute(ctxFor(rawTask("", {}, { command: ["/no/such/program"] })));
    expect(absent).toMatchObject({ kind: "failure", error: { kind: "USER", code: "CommandNotFound" } });
    const unsupportedIn = await plugin.execute(ctxFor(rawTask("true", {}, { inputs: { x: types.integer() } }), { inputs: { x: lit.structuredDataset("memory://sd") } }));
    expect(unsupportedIn).toMatchObject({ kind: "failure", error: { kind: "USER", code: "UnsupportedType", message: "input x: structuredDataset values are not supported by the raw container protocol" } });
    const notGiven = await plugin.execute(ctxFor(rawTask("true", {}), { inputs: { a: lit.integer(1) } }));
    expect(notGiven).toMatchObject({ kind: "failure", error: { message: "input s was not provided" } });
  });

  it("layers the environment: own, then the plugin's, the container's and the engine's", async () => {
    const env = rawPluginWith({ env: { A: "plugin", B: "plugin", C: "plugin" } });
    const t = rawTask('printf %s "$A $B $C" > /var/outputs/o', { o: types.string() }, { env: { B: "container", C: "container" } });
    const out = await outputs(env.execute(ctxFor(t, { environment: { C: "engine" } })));
    expect(out.o).toEqual(lit.string("plugin container engine"));
  });

  it("removes each attempt's directory unless asked to keep it", async () => {
    const keepDir = mkdtempSync(join(tmpdir(), "aloft-raw-keep-"));
    const t = rawTask("echo 1 > /var/outputs/o", { o: types.integer() });
    await outputs(rawContainerPlugin({ workDir: keepDir, keepWorkDirs: true }).execute(ctxFor(t)));
    const [kept] = readdirSync(keepDir);
    expect(existsSync(join(keepDir, kept!, "inputs", "inputs.pb"))).toBe(true);
    expect(existsSync(join(keepDir, kept!, "outputs", "o"))).toBe(true);
    const dropDir = mkdtempSync(join(tmpdir(), "aloft-raw-drop-"));
    await outputs(rawContainerPlugin({ workDir: dropDir }).execute(ctxFor(t)));
    expect(readdirSync(dropDir)).toEqual([]);
    rmSync(keepDir, { recursive: true, force: true });
    rmSync(dropDir, { recursive: true, force: true });
  });

  it("stops the command and what it started on abort", async () => {
    const abort = new AbortController();
    const t = rawTask("sleep 30 & wait; echo 1 > /var/outputs/o", { o: types.integer() });
    const started = Date.now();
    const r = plugin.execute(ctxFor(t, { signal: abort.signal }));
    setTimeout(() => abort.abort(), 200);
    expect(await r).toMatchObject({ kind: "failure", error: { kind: "SYSTEM", code: "Aborted" } });
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

function rawPluginWith(o: { env: Record<string, string> }) {
  return rawContainerPlugin({ workDir: work, env: o.env });
}
