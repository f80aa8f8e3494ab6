// The code bundle `aloft register` builds, run the way `aloft start` runs it: the TypeScript task plugin fetches it
// from the blob store and a worker thread of the engine's pool imports it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { build } from "esbuild";
import { core, lit } from "@aloft/idl";
import { MemoryBlobStore, type TaskExecutionContext } from "@aloft/engine";
import { isTaskEntity, Serializer } from "@aloft/sdk";
import * as flow from "./testdata/bundle-project/flow.ts";
import { bundleModule, type CodeBundle } from "./code-bundle.ts";
import { typescriptTaskPlugin } from "./typescript-plugin.ts";

const root = process.cwd();
const flowFile = fileURLToPath(new URL("./testdata/bundle-project/flow.ts", import.meta.url));
const projectDir = `${relative(root, fileURLToPath(new URL("./testdata/bundle-project/", import.meta.url)))}/`;
const plugin = typescriptTaskPlugin({ workers: 1 });
const blobStore = new MemoryBlobStore();
let bundle: CodeBundle;
let dir: string;

beforeAll(async () => {
  // Workers import the bundle with Node's loader; it imports the SDK's TypeScript sources (tsx, as the binary).
  const { register } = await import("tsx/esm/api");
  register();
  dir = mkdtempSync(join(tmpdir(), "aloft-code-bundle-"));
  bundle = await bundleModule(flowFile, root);
});
afterAll(async () => {
  await plugin.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The task templates registration produces with the bundle at `uri`, by name. */
async function registered(uri: string): Promise<Map<string, core.TaskTemplate>> {
  const s = new Serializer({ project: "p", domain: "d", version: "v1", root, codeBundle: uri });
  for (const v of Object.values(flow)) if (isTaskEntity(v)) await s.task(v);
  return s.tasks;
}

function ctx(task: core.TaskTemplate, inputs: Record<string, core.Literal>): TaskExecutionContext {
  const base = `file://${dir}/${task.id!.name}`;
  return {
    task, executionId: create(core.WorkflowExecutionIdentifierSchema, { project: "p", domain: "d", name: "x" }), actionKey: "p/d/x/n0", nodeId: "n0", attempt: 0,
    inputs: create(core.LiteralMapSchema, { literals: inputs }), inputsPath: `${base}/inputs.pb`, inputsUri: async () => `${base}/inputs.pb`,
    outputPrefix: `${base}/0`, rawOutputPrefix: `${base}/raw`, checkpointPrefix: `${base}/cp`, prevCheckpointPrefix: "",
    interruptible: false, signal: new AbortController().signal, log: { write() {} }, blobStore, environment: {},
  };
}

const argsOf = (t: core.TaskTemplate | undefined) => (t?.target.case === "container" ? t.target.value.args : []);
const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];
// Servers cache a bundle by its URI, which names its content (DataProxy's upload path holds the MD5); so do these.

describe("code bundle", () => {
  it("holds every project module the file reaches, dependencies first, under paths relative to the project root", () => {
    expect(bundle.modules.map((m) => m.modulePath)).toEqual([`${projectDir}steps.ts`, `${projectDir}flow.ts`]);
  });

  it("runs a task imported from another module from the bundle, not from the sources on the server's disk", async () => {
    const uri = `memory://one/${bundle.md5}/bundle.mjs`;
    await blobStore.put(uri, bundle.bytes);
    const r = await plugin.execute(ctx((await registered(uri)).get("packages.cli.src.remote.testdata.bundle-project.steps.whereAmI")!, {}));
    const url = r.kind === "success" ? r.outputs.literals.o0 : undefined;
    expect(url?.value.case === "scalar" && url.value.value.value.case === "primitive" && url.value.value.value.value.value.value).toMatch(
      /\/node_modules\/\.cache\/aloft-code-bundles\/[0-9a-f]+\.mjs$/,
    );
  });

  it("gives a dynamic task's sub-tasks the identity registration gave them, wherever the bundle is stored", async () => {
    const specs: core.DynamicJobSpec[] = [];
    for (const uri of [`memory://one/${bundle.md5}/bundle.mjs`, `memory://two/elsewhere/${bundle.md5}/bundle.mjs`]) {
      await blobStore.put(uri, bundle.bytes);
      const tasks = await registered(uri);
      // Re-exported under another name, the task still belongs to the module that defined it.
      const inc = tasks.get("packages.cli.src.remote.testdata.bundle-project.steps.inc");
      expect(flag(argsOf(inc), "--module")).toBe(`${projectDir}steps.ts`);
      const r = await plugin.execute(ctx(tasks.get("packages.cli.src.remote.testdata.bundle-project.flow.fan")!, { n: lit.integer(2) }));
      expect(r.kind, r.kind === "failure" ? r.error.message : "").toBe("dynamic");
      if (r.kind !== "dynamic") return;
      specs.push(r.spec);
      expect(r.spec.tasks.map((t) => t.id?.name)).toEqual([inc!.id!.name]);
      const sub = argsOf(r.spec.tasks[0]);
      expect([flag(sub, "--module"), flag(sub, "--task"), flag(sub, "--code-bundle")]).toEqual([`${projectDir}steps.ts`, "inc", uri]);
      expect(sub).toEqual(argsOf(inc));
    }
    expect(specs[0]!.tasks.map((t) => t.id)).toEqual(specs[1]!.tasks.map((t) => t.id));
  });

  it("still runs tasks of a bundle registered before bundles listed their modules (the registered file's exports)", async () => {
    const uri = `memory://legacy/${bundle.md5}/bundle.mjs`;
    const legacy = await build({
      stdin: { contents: `export * from ${JSON.stringify(flowFile)};`, resolveDir: root, loader: "ts" },
      bundle: true, platform: "node", format: "esm", write: false, packages: "external", logLevel: "silent",
    });
    await blobStore.put(uri, legacy.outputFiles[0]!.contents);
    const tasks = await registered(uri);
    const negate = tasks.get("packages.cli.src.remote.testdata.bundle-project.flow.negate")!;
    // Registered from a checkout the server does not have: the bundle is the only place the module is.
    const args = argsOf(negate);
    args[args.indexOf("--module") + 1] = "elsewhere/flow.ts";
    const r = await plugin.execute(ctx(negate, { x: lit.integer(41) }));
    expect(r.kind === "success" && r.outputs.literals.o0).toEqual(lit.integer(-41));
  });

  it("fails a dynamic task on the server that calls a task no module exports, naming it", async () => {
    const uri = `memory://one/${bundle.md5}/bundle.mjs`;
    const tasks = await registered(uri);
    const r = await plugin.execute(ctx(tasks.get("packages.cli.src.remote.testdata.bundle-project.flow.callsHidden")!, { x: lit.integer(1) }));
    expect(r).toMatchObject({ kind: "failure", error: { kind: "USER", message: expect.stringContaining("task hidden is not exported from the module that defines it (in the code bundle)") } });
  });
});
