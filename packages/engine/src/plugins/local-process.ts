// Container tasks run as local processes, with flytepropeller's container contract: the task's command and
// args with {{.input}}, {{.outputPrefix}}, … filled in (template.ts), Flyte's FLYTE_INTERNAL_* environment, and the result
// read back from <outputPrefix>/{futures,outputs,error}.pb. This is how flytekit's python tasks
// (pyflyte-fast-execute, pyflyte-execute, pyflyte-map-execute) run inside `aloft start` without Kubernetes.
import { availableParallelism } from "node:os";
import { clone, create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { dynamicSpecWithFileUris, localPath, withFileUris, withLocalBlobPaths } from "./local-paths.ts";
import type { TaskExecutionContext, TaskPlugin, TaskResult } from "./plugin.ts";
import { renderArgs } from "./template.ts";
import { inAttemptDir, sweepDeadAttemptDirs, type AttemptDir } from "./attempt-dir.ts";
import { checkTaskEnvAllow, DEFAULT_TASK_ENV_ALLOW, MissingSecretError, taskEnvironment } from "./task-env.ts";
import { runProcess, type ProcessExit } from "./process.ts";

export interface LocalProcessPluginOptions {
  /** Each attempt runs in its own directory under this one (fast-registered code is unpacked there, TMPDIR is inside). */
  workDir: string;
  /** Variables of this process's environment a task sees: names, or prefixes ending in `*`. Default DEFAULT_TASK_ENV_ALLOW. */
  envAllow?: readonly string[];
  /** Environment added to the allowed variables (e.g. a PATH that finds pyflyte-execute). */
  env?: Readonly<Record<string, string>>;
  /** Where declared secrets are read from (`<dir>/<group>/<key>`); a task declaring one fails without it. */
  secretsDir?: string;
  /** Processes running at once; further attempts wait. Default: the number of CPUs. */
  maxConcurrent?: number;
  /** Keeps attempt directories after the attempt ends (for debugging). */
  keepWorkDirs?: boolean;
  /** Keeps the directory of a failed attempt (renamed `aloft-kept-…`). */
  keepFailedWorkDirs?: boolean;
  /** Time between SIGTERM and SIGKILL when an attempt is aborted. Default 5 s. */
  killGraceMs?: number;
}

/** The environment variable flytekit reads the array index from, as Flyte's k8s array plugin names it. */
export const ARRAY_INDEX_VAR = "FLYTE_K8S_ARRAY_INDEX";

const MAP_EXECUTE = "pyflyte-map-execute";

export function localProcessPlugin(options: LocalProcessPluginOptions): TaskPlugin {
  const slots = new Semaphore(options.maxConcurrent ?? availableParallelism());
  checkTaskEnvAllow(options.envAllow ?? DEFAULT_TASK_ENV_ALLOW, "taskEnvAllow");
  sweepDeadAttemptDirs(options.workDir);
  const dirs = { workDir: options.workDir, keepAll: options.keepWorkDirs ?? false, keepFailed: options.keepFailedWorkDirs ?? false };
  return {
    name: "local-process",
    // Raw containers (data_config enabled) use the copilot file protocol, not this one.
    canHandle: (task) => task.target.case === "container" && !task.target.value.dataConfig?.enabled,
    async execute(ctx) {
      await slots.acquire(ctx.signal);
      try {
        return await inAttemptDir(dirs, ctx.actionKey, ctx.attempt, (dir) => runAttempt(ctx, options, dir));
      } finally {
        slots.release();
      }
    },
  };
}

async function runAttempt(ctx: TaskExecutionContext, options: LocalProcessPluginOptions, dir: AttemptDir): Promise<TaskResult> {
  if (ctx.task.target.case !== "container") throw new Error(`task ${ctx.task.id?.name ?? ""} has no container`);
  const container = ctx.task.target.value;
  const raw = [...container.command, ...container.args];
  if (raw.length === 0) return failure("SYSTEM", "NoCommand", "the task's container has neither command nor args", false);
  const mapped = raw.includes(MAP_EXECUTE);
  const { uri: inputsUri, literals } = await processInputs(ctx, mapped ? boundVars(raw) : undefined);
  const inputs = localPath(inputsUri);
  const cwd = dir.root;
  // Every location of a filesystem store goes in as a path (see local-paths.ts).
  const argv = withDestDir(
    renderArgs(raw, {
      inputPath: inputs,
      inputPrefix: inputs.slice(0, inputs.lastIndexOf("/")),
      outputPrefix: localPath(ctx.outputPrefix),
      rawOutputDataPrefix: localPath(ctx.rawOutputPrefix),
      checkpointOutputPrefix: localPath(ctx.checkpointPrefix),
      prevCheckpointPrefix: localPath(ctx.prevCheckpointPrefix),
      perRetryUniqueKey: `${ctx.actionKey}-${ctx.attempt}`.replace(/[^A-Za-z0-9-]/g, "-"),
      inputs: literals,
    }),
    cwd,
  );
  let env: Record<string, string>;
  try {
    env = taskEnvironment({
      server: process.env,
      allow: options.envAllow ?? DEFAULT_TASK_ENV_ALLOW,
      ...(options.env ? { extra: options.env } : {}),
      task: ctx.task,
      secretsDir: options.secretsDir,
      engine: {
        ...ctx.environment,
        ...(mapped ? { BATCH_JOB_ARRAY_INDEX_VAR_NAME: ARRAY_INDEX_VAR, [ARRAY_INDEX_VAR]: "0", BATCH_JOB_ARRAY_INDEX_OFFSET: "0" } : {}),
      },
      tmpDir: dir.tmp,
    });
  } catch (e) {
    if (e instanceof MissingSecretError) return failure("USER", "SecretNotFound", e.message, false);
    throw e;
  }
  const exit = await runProcess(argv, cwd, env, ctx, { killGraceMs: options.killGraceMs ?? 5000, stderrTailChars: 2000 });
  if (ctx.signal.aborted) return failure("SYSTEM", "Aborted", String(ctx.signal.reason ?? "aborted"), false);
  return await readResult(ctx, exit);
}

// Fast-registered code is unpacked into --dest-dir; every attempt gets its own, so attempts never share files.
function withDestDir(argv: string[], cwd: string): string[] {
  return argv.map((a, i) => (i > 0 && (argv[i - 1] === "--dest-dir" || argv[i - 1] === "--dynamic-dest-dir") ? cwd : a));
}

/** Inputs of a map task that are not mapped (`vars a,b` in the ArrayNodeMapTaskResolver's loader args). */
function boundVars(argv: string[]): Set<string> {
  const i = argv.indexOf("vars");
  const list = i >= 0 ? (argv[i + 1] ?? "") : "";
  return new Set(list.split(",").filter((v) => v !== ""));
}

// What the process reads as {{.input}}. The engine hands an array subtask its own item, while
// pyflyte-map-execute wants the lists and an index, so the item goes in as a one-element list at index 0.
// Blobs of a filesystem store go in as paths (see local-paths.ts).
async function processInputs(ctx: TaskExecutionContext, bound: Set<string> | undefined): Promise<{ uri: string; literals: core.LiteralMap }> {
  const local = withLocalBlobPaths(ctx.inputs);
  if (!bound && local === ctx.inputs) return { uri: await ctx.inputsUri(), literals: local };
  const given = local === ctx.inputs ? clone(core.LiteralMapSchema, ctx.inputs) : local;
  for (const [name, lit] of Object.entries(given.literals)) {
    if (bound && !bound.has(name)) given.literals[name] = create(core.LiteralSchema, { value: { case: "collection", value: { literals: [lit] } } });
  }
  const uri = `${ctx.outputPrefix}/process-inputs.pb`;
  await ctx.blobStore.put(uri, toBinary(core.LiteralMapSchema, given));
  return { uri, literals: local };
}

async function readResult(ctx: TaskExecutionContext, exit: ProcessExit): Promise<TaskResult> {
  if (exit.spawnError) return failure("SYSTEM", "SpawnFailed", `cannot start the task's command: ${exit.spawnError.message}`, false);
  const read = (name: string) => ctx.blobStore.get(`${ctx.outputPrefix}/${name}`);
  const error = await read("error.pb");
  if (error) {
    const doc = fromBinary(core.ErrorDocumentSchema, error);
    const e = doc.error;
    const origin = e?.origin === core.ExecutionError_ErrorKind.SYSTEM ? "SYSTEM" : "USER";
    return failure(origin, e?.code || "TaskFailed", e?.message ?? "", e?.kind === core.ContainerError_Kind.RECOVERABLE);
  }
  // The process was handed paths for a filesystem store, so the values it wrote name files by path.
  const paths = ctx.rawOutputPrefix.startsWith("file://");
  const futures = await read("futures.pb");
  if (futures) {
    const spec = fromBinary(core.DynamicJobSpecSchema, futures);
    return { kind: "dynamic", spec: paths ? dynamicSpecWithFileUris(spec) : spec };
  }
  if (exit.code === 0) {
    const outputs = await read("outputs.pb");
    if (outputs) {
      const map = fromBinary(core.LiteralMapSchema, outputs);
      return { kind: "success", outputs: paths ? withFileUris(map) : map };
    }
    if (Object.keys(ctx.task.interface?.outputs?.variables ?? {}).length === 0) return { kind: "success", outputs: create(core.LiteralMapSchema) };
    return failure("SYSTEM", "OutputsNotFound", `the task exited 0 but wrote no ${ctx.outputPrefix}/outputs.pb`, true);
  }
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return failure("USER", "ProcessFailed", `the task's process ${how}${exit.stderrTail ? `: ${exit.stderrTail.trim()}` : ""}`, true);
}

function failure(kind: "USER" | "SYSTEM", code: string, message: string, recoverable: boolean): TaskResult {
  return { kind: "failure", error: { kind, code, message, recoverable } };
}

class Semaphore {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}
  acquire(signal: AbortSignal): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        this.waiting = this.waiting.filter((w) => w !== grant);
        reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(grant);
    });
  }
  release() {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
