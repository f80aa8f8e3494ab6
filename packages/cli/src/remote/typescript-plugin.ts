// Runs registered TypeScript tasks inside `aloft start`: the task's code bundle (uploaded at registration) is
// fetched from the blob store once, cached on disk, imported, and the runtime it re-exports runs the task. The
// cache lives under the server's node_modules so the bundle's package imports resolve against the environment
// (the role a container image plays in Flyte). Tasks registered without a bundle run from the working directory.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import type { TaskPlugin, TaskResult } from "@aloft/engine";
import { executeTask, TYPESCRIPT_TASK_TYPE, type ExecuteRequest, type ExecuteResponse } from "@aloft/sdk";

type Runtime = (r: ExecuteRequest) => Promise<ExecuteResponse>;

export function typescriptTaskPlugin(cacheDir: string = join(process.cwd(), "node_modules", ".cache", "aloft-code-bundles")): TaskPlugin {
  const runtimes = new Map<string, Promise<Runtime>>();
  const load = (uri: string, fetchBytes: () => Promise<Uint8Array | undefined>): Promise<Runtime> => {
    let p = runtimes.get(uri);
    if (!p) {
      p = (async () => {
        const bytes = await fetchBytes();
        if (!bytes) throw new Error(`code bundle ${uri} not found in the blob store`);
        mkdirSync(cacheDir, { recursive: true });
        const path = join(cacheDir, `${createHash("sha256").update(uri).digest("hex").slice(0, 24)}.mjs`);
        if (!existsSync(path)) writeFileSync(path, bytes);
        const mod = (await import(pathToFileURL(path).href)) as { executeTask?: Runtime };
        if (typeof mod.executeTask !== "function") throw new Error(`code bundle ${uri} does not export the Aloft task runtime`);
        return mod.executeTask;
      })();
      p.catch(() => runtimes.delete(uri));
      runtimes.set(uri, p);
    }
    return p;
  };
  return {
    name: "typescript",
    canHandle: (task) => task.type === TYPESCRIPT_TASK_TYPE,
    async execute(ctx): Promise<TaskResult> {
      const args = [...(ctx.task.target.case === "container" ? ctx.task.target.value.args : [])];
      const b = args.indexOf("--code-bundle");
      let runtime: Runtime = executeTask;
      if (b >= 0) {
        const uri = args[b + 1]!;
        args.splice(b, 2);
        runtime = await load(uri, () => ctx.blobStore.get(uri));
        const m = args.indexOf("--module");
        const cached = join(cacheDir, `${createHash("sha256").update(uri).digest("hex").slice(0, 24)}.mjs`);
        // The bundle is the module: its exports are the user's module's exports.
        if (m >= 0) args[m + 1] = cached;
      }
      const res = await runtime({ args, inputs: toBinary(core.LiteralMapSchema, ctx.inputs), outputPrefix: ctx.outputPrefix, rawOutputPrefix: ctx.rawOutputPrefix });
      if ("outputs" in res) return { kind: "success", outputs: fromBinary(core.LiteralMapSchema, res.outputs) };
      if ("futures" in res) return { kind: "dynamic", spec: fromBinary(core.DynamicJobSpecSchema, res.futures) };
      return { kind: "failure", error: res.error };
    },
  };
}
