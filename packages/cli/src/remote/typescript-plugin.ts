// Runs registered TypeScript tasks inside `aloft start` on the engine's warm worker pool, so task code never
// runs on the server's thread. A fast-registered task names its code bundle (uploaded at registration); the
// bundle is fetched from the server's blob store once into the on-disk cache the task runtime imports from
// (under the server's node_modules, so the bundle's package imports resolve against this environment — the
// role a container image plays in Flyte). Tasks registered without a bundle run from the working directory.
import { TypeScriptPlugin, type TaskPlugin, type TaskResult } from "@aloft/engine";
import { ensureCodeBundle, TYPESCRIPT_TASK_TYPE, typescriptRuntimeUrl } from "@aloft/sdk";
import { compiled, compiledTaskRuntimeUrl } from "../user-code.ts";

export interface TypeScriptTaskPluginOptions {
  /** Worker threads (default: the engine pool's default, the machine's available parallelism). */
  workers?: number;
  /** Directory module paths and the bundle cache are relative to (default: the working directory). */
  root?: string;
  /** This process's variables task code sees (names, prefixes ending in `*`); default all (a local run). */
  envAllow?: readonly string[];
  /** The server's secrets directory (`<dir>/<group>/<key>`): declared secrets are sent with each task's request. */
  secretsDir?: string | undefined;
}

export function typescriptTaskPlugin(options: TypeScriptTaskPluginOptions = {}): TaskPlugin & { close(): Promise<void> } {
  const pool = new TypeScriptPlugin({
    runtime: compiled ? compiledTaskRuntimeUrl() : typescriptRuntimeUrl,
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.envAllow ? { envAllow: options.envAllow } : {}),
    ...(options.secretsDir ? { secretsDir: options.secretsDir } : {}),
  });
  const root = options.root ?? process.cwd();
  const fetching = new Map<string, Promise<string>>();
  return {
    name: "typescript",
    canHandle: (task) => task.type === TYPESCRIPT_TASK_TYPE && pool.canHandle(task),
    async execute(ctx): Promise<TaskResult> {
      const args = ctx.task.target.case === "container" ? ctx.task.target.value.args : [];
      const b = args.indexOf("--code-bundle");
      if (b >= 0) {
        const uri = args[b + 1]!;
        let p = fetching.get(uri);
        if (!p) {
          p = ensureCodeBundle(uri, root, () => ctx.blobStore.get(uri));
          p.catch(() => fetching.delete(uri));
          fetching.set(uri, p);
        }
        try {
          await p;
        } catch (e) {
          return { kind: "failure", error: { kind: "SYSTEM", code: "CodeBundleUnavailable", message: (e as Error).message, recoverable: true } };
        }
      }
      return pool.execute(ctx);
    },
    close: () => pool.close(),
  };
}
