// The task runtime entry: what a worker thread of the engine's pool imports (once) and what the `aloft-task`
// bin calls. It finds the task from the container args the serializer wrote (`--module <path> --task <export>`),
// runs it, and answers with serialized protobufs, so nothing but bytes crosses the thread boundary.
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { isTaskEntity } from "../task-entity.ts";
import type { TaskDef } from "../task.ts";
import { recordModuleLocations } from "../serialize/identity.ts";
import { blobIO, storeFor } from "./blob-io.ts";
import { loadCodeBundle } from "./code-bundle.ts";
import { runTask, type TaskError } from "./run-task.ts";
import type { ChildActions } from "@aloft/engine";
import { Serializer } from "../serialize/serializer.ts";
import type { TaskEntity } from "../task-entity.ts";

export interface ExecuteRequest {
  args: string[];
  /** The input LiteralMap, binary protobuf. */
  inputs: Uint8Array;
  outputPrefix: string;
  rawOutputPrefix: string;
  /**
   * The running task's registered identity (FLYTE_INTERNAL_TASK_* in a container): tasks a dynamic task adds are
   * serialized in its project, domain and version, as flytekit does, so the engine can run and cache them.
   */
  task?: TaskIdentity;
  /**
   * The values of the task's declared secrets, by the variable names flytekit reads (`_FSEC_<GROUP>_<KEY>`), read
   * by the server from its secrets directory. Held in this request only: never in the worker's environment, which
   * other tasks share.
   */
  secrets?: Record<string, string>;
}

export interface TaskIdentity {
  project: string;
  domain: string;
  name: string;
  version: string;
}

export type ExecuteResponse =
  | { outputs: Uint8Array }
  /** A dynamic task's DynamicJobSpec (what pyflyte-execute writes as futures.pb). */
  | { futures: Uint8Array }
  | { error: TaskError };

export interface RuntimeArgs {
  module: string;
  task: string;
  codeBundle?: string;
}

export function parseRuntimeArgs(args: string[]): RuntimeArgs {
  const start = args[0] === "aloft-task" ? 1 : 0;
  const flags = new Map<string, string>();
  for (let i = start; i < args.length; i += 2) {
    const k = args[i];
    const v = args[i + 1];
    if (!k?.startsWith("--") || v === undefined) throw new Error(`aloft-task: expected --flag value pairs, got ${JSON.stringify(args.slice(start))}`);
    flags.set(k.slice(2), v);
  }
  const module = flags.get("module");
  const task = flags.get("task");
  if (!module || !task) throw new Error("aloft-task: --module and --task are required");
  const codeBundle = flags.get("code-bundle");
  return { module, task, ...(codeBundle ? { codeBundle } : {}) };
}

/** Where module paths are relative to: ALOFT_PROJECT_ROOT, else the working directory. */
export function projectRoot(): string {
  return process.env.ALOFT_PROJECT_ROOT ?? process.cwd();
}

const modules = new Map<string, Promise<Record<string, unknown>>>();

/** The exports of `--module`: from the code bundle when it holds the module, else imported from the project root. */
async function taskModule(args: RuntimeArgs, root: string): Promise<Record<string, unknown>> {
  if (args.codeBundle) {
    const bundle = await loadCodeBundle(args.codeBundle, root);
    const m = bundle.modules.get(args.module);
    if (m) return m;
    // A bundle built before bundles had a module map holds the registered file's exports only.
    if (bundle.modules.size === 0) return bundle.exports;
  }
  // Modules outside the bundle are the project's packages, found where the runtime runs (the image's role).
  const file = isAbsolute(args.module) ? args.module : resolve(root, args.module);
  let p = modules.get(file);
  if (!p) {
    p = import(pathToFileURL(file).href) as Promise<Record<string, unknown>>;
    modules.set(file, p);
  }
  const exports = await p;
  if (!isAbsolute(args.module)) recordModuleLocations(args.module, exports);
  return exports;
}

export async function loadTask(args: RuntimeArgs, root: string = projectRoot()): Promise<TaskDef<any, any>> {
  const exports = await taskModule(args, root);
  // `--task` is the exported name; a named task that is not exported (local runs) is found by its Flyte name.
  const task = exports[args.task] ?? Object.values(exports).find((x) => isTaskEntity(x) && x.explicitName === args.task);
  if (!isTaskEntity(task) || typeof (task as { fn?: unknown }).fn !== "function") {
    throw new Error(`aloft-task: ${args.module} has no exported task "${args.task}"`);
  }
  return task as TaskDef<any, any>;
}

/**
 * Templates of the tasks a Flyte 2 task calls, serialized as registration did (same project, domain, version and
 * code bundle), so the engine finds them in the execution's closure.
 */
function calledTemplates(request: ExecuteRequest, args: RuntimeArgs): (task: TaskEntity) => Promise<core.TaskTemplate> {
  let s: Serializer | undefined;
  return async (task) => {
    s ??= new Serializer({
      project: request.task?.project ?? "",
      domain: request.task?.domain ?? "",
      version: request.task?.version ?? "",
      root: projectRoot(),
      allowUnexported: args.codeBundle === undefined,
      ...(args.codeBundle !== undefined ? { codeBundle: args.codeBundle } : {}),
    });
    const { id } = await s.task(task);
    return s.tasks.get(id.name)!;
  };
}

export async function executeTask(request: ExecuteRequest, calls?: ChildActions): Promise<ExecuteResponse> {
  let task: TaskDef<any, any>;
  let args: RuntimeArgs;
  try {
    args = parseRuntimeArgs(request.args);
    task = await loadTask(args);
  } catch (e) {
    return { error: { kind: "SYSTEM", code: "TaskNotFound", message: (e as Error).message, recoverable: false } };
  }
  let inputs: core.LiteralMap;
  try {
    inputs = fromBinary(core.LiteralMapSchema, request.inputs);
  } catch (e) {
    return { error: { kind: "SYSTEM", code: "BadInputs", message: `inputs are not a LiteralMap: ${(e as Error).message}`, recoverable: false } };
  }
  const blobs = blobIO(storeFor(request.rawOutputPrefix || request.outputPrefix));
  const outcome = await runTask(task, inputs, {
    blobs,
    rawOutputPrefix: request.rawOutputPrefix,
    taskName: task.explicitName ?? args.task,
    taskId: request.task ? create(core.IdentifierSchema, { resourceType: core.ResourceType.TASK, ...request.task }) : undefined,
    root: projectRoot(),
    codeBundle: args.codeBundle,
    secrets: { env: request.secrets ?? {}, files: false },
    calls: calls ? { actions: () => calls, templateOf: calledTemplates(request, args) } : undefined,
  });
  switch (outcome.kind) {
    case "success":
      return { outputs: toBinary(core.LiteralMapSchema, outcome.outputs) };
    case "dynamic":
      return { futures: toBinary(core.DynamicJobSpecSchema, outcome.spec) };
    case "failure":
      return { error: outcome.error };
  }
}
