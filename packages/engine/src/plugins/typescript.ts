// Aloft TypeScript tasks: containers whose args start with "aloft-task" run in the warm worker
// pool. Inputs travel in memory (the `--inputs` URI is where they live or would live); the runtime
// returns the outputs as LiteralMap bytes.
import type { ResourceLimits } from "node:worker_threads";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import type { TaskExecutionContext, TaskPlugin, TaskResult } from "./plugin.ts";
import { allowedEnv, checkTaskEnvAllow, MissingSecretError, secretEnv } from "./task-env.ts";
import { renderArgs } from "./template.ts";
import { WorkerPool } from "./worker-pool.ts";

export const ALOFT_TASK_COMMAND = "aloft-task";

export interface TypeScriptPluginOptions {
  /** Module URL exporting executeTask(request); imported once per worker. */
  runtime: string;
  /** Number of worker threads (default: available parallelism). */
  workers?: number;
  /** V8 limits of each worker thread (default: DEFAULT_TASK_RESOURCE_LIMITS, a 16 MiB young generation). */
  resourceLimits?: ResourceLimits;
  /** This process's variables the workers' `process.env` holds (names, prefixes ending in `*`); default all. */
  envAllow?: readonly string[];
  /** Where declared secrets are read from (`<dir>/<group>/<key>`); they travel with the task's request only. */
  secretsDir?: string | undefined;
}

export class TypeScriptPlugin implements TaskPlugin {
  readonly name = "aloft-typescript";
  readonly #pool: WorkerPool;
  readonly #secretsDir: string | undefined;
  constructor(options: TypeScriptPluginOptions) {
    this.#secretsDir = options.secretsDir;
    if (options.envAllow) checkTaskEnvAllow(options.envAllow, "envAllow");
    const env = options.envAllow ? allowedEnv(process.env, options.envAllow) : undefined;
    this.#pool = new WorkerPool(options.runtime, options.workers, options.resourceLimits, env);
  }

  canHandle(task: core.TaskTemplate): boolean {
    return task.target.case === "container" && task.target.value.args[0] === ALOFT_TASK_COMMAND;
  }

  async execute(ctx: TaskExecutionContext): Promise<TaskResult> {
    const container = ctx.task.target.case === "container" ? ctx.task.target.value : undefined;
    if (!container) return { kind: "failure", error: { kind: "SYSTEM", code: "BadTaskSpec", message: "not a container task", recoverable: false } };
    const args = renderArgs(container.args, {
      inputPath: ctx.inputsPath,
      inputPrefix: ctx.inputsPath.replace(/\/inputs\.pb$/, ""),
      outputPrefix: ctx.outputPrefix,
      rawOutputDataPrefix: ctx.rawOutputPrefix,
      checkpointOutputPrefix: ctx.checkpointPrefix,
      prevCheckpointPrefix: ctx.prevCheckpointPrefix,
      perRetryUniqueKey: `${ctx.actionKey}#${ctx.attempt}`,
      inputs: ctx.inputs,
    });
    let secrets: Record<string, string> | undefined;
    try {
      if (ctx.task.securityContext?.secrets.length) secrets = secretEnv(ctx.task, this.#secretsDir);
    } catch (e) {
      if (e instanceof MissingSecretError) return { kind: "failure", error: { kind: "USER", code: "SecretNotFound", message: e.message, recoverable: false } };
      throw e;
    }
    const reply = await this.#pool.run(
      {
        args,
        inputs: toBinary(core.LiteralMapSchema, ctx.inputs),
        outputPrefix: ctx.outputPrefix,
        rawOutputPrefix: ctx.rawOutputPrefix,
        ...(secrets ? { secrets } : {}),
        ...(ctx.task.id ? { task: { project: ctx.task.id.project, domain: ctx.task.id.domain, name: ctx.task.id.name, version: ctx.task.id.version } } : {}),
      },
      ctx.onAbort ? (fn) => ctx.onAbort!(fn) : ctx.signal,
      // "in", not a read: the getter makes the attempt's call table, which most tasks never need.
      "actions" in ctx ? () => ctx.actions! : undefined,
    );
    if ("outputs" in reply) return { kind: "success", outputs: fromBinary(core.LiteralMapSchema, reply.outputs), encoded: reply.outputs };
    if ("futures" in reply) return { kind: "dynamic", spec: fromBinary(core.DynamicJobSpecSchema, reply.futures) };
    // The runtime knows whether a retry can help (Flyte retries only recoverable errors); an abort never is.
    const { recoverable, ...e } = reply.error;
    return { kind: "failure", error: { ...e, recoverable: e.code !== "Aborted" && recoverable !== false } };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
