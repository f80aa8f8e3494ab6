// Runs one task function on a LiteralMap: the part of pyflyte-execute that is the same wherever the task runs
// (in-process for local runs, in a worker thread, in a fresh `aloft-task` process). Inputs are converted by
// their declared schemas, the function runs, and its return value becomes the output LiteralMap — or, for a
// dynamic task, the graph it built becomes a DynamicJobSpec.
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { create } from "@bufbuild/protobuf";
import { core, formatLiteralType } from "@aloft/idl";
import { GraphBuilder, withBuilder } from "../builder.ts";
import { DefinitionError, RecoverableError, TaskFailure, TypeMismatchError } from "../errors.ts";
import type { TaskContext, TaskDef } from "../task.ts";
import type { TaskCommonOptions } from "../task-entity.ts";
import type { BlobIO } from "../types/blob-io.ts";
import type { SchemaMap, TransformContext } from "../types/schema.ts";
import { bindOutputs } from "../workflow.ts";
import { Serializer } from "../serialize/serializer.ts";
import { bindings, toCoreNode } from "../serialize/node.ts";
import { CALL_ENV, type CallEnv } from "../v2/context.ts";
import { SecretNotFoundError, taskSecrets, type SecretSources } from "./secrets.ts";

export interface TaskError {
  kind: "USER" | "SYSTEM";
  code: string;
  message: string;
  /** Whether a retry may help: RecoverableError and system errors; other user errors are final, as in Flyte. */
  recoverable: boolean;
}

/** What running a task needs from a task definition (mocks supply their own `fn`). */
export type RunnableTask = Pick<TaskDef<any, any>, "inputs" | "outputs" | "fn" | "mode" | "singleOutput">;

export type TaskOutcome =
  | { kind: "success"; outputs: core.LiteralMap }
  | { kind: "dynamic"; spec: core.DynamicJobSpec }
  | { kind: "failure"; error: TaskError };

export interface RunTaskEnv {
  blobs: BlobIO;
  rawOutputPrefix: string;
  /** Flyte name of the task (for messages and the TaskContext). */
  taskName: string;
  /** Identity for tasks a dynamic task references: same project, domain and version as the task. */
  taskId?: core.Identifier | undefined;
  /** Project root for module paths of tasks a dynamic task references. */
  root?: string;
  /** The code bundle the task came from: tasks a dynamic task adds run from it too. */
  codeBundle?: string | undefined;
  /** Where declared secrets are looked up (default: this process's environment and secret files, as flytekit). */
  secrets?: SecretSources | undefined;
  /** How the tasks a Flyte 2 task awaits become child actions of this attempt (when the runner offers it). */
  calls?: CallEnv | undefined;
}

interface Field {
  name: string;
  schema: SchemaMap[string];
  /** "input x" / "output x", for messages. */
  path: string;
}

// A task's schema maps never change: their entries and message paths are listed once, not on every run.
const fieldLists = new WeakMap<SchemaMap, { input: Field[]; output: Field[] }>();
function fields(map: SchemaMap, kind: "input" | "output"): Field[] {
  let f = fieldLists.get(map);
  if (!f) {
    const list = (k: string) => Object.entries(map).map(([name, schema]) => ({ name, schema, path: `${k} ${name}` }));
    f = { input: list("input"), output: list("output") };
    fieldLists.set(map, f);
  }
  return f[kind];
}

export async function convertInputs(inputs: SchemaMap, literals: core.LiteralMap, ctx: TransformContext): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const { name, schema, path } of fields(inputs, "input")) {
    const l = literals.literals[name];
    if (l === undefined) {
      if (schema.check(null, name) === undefined) {
        out[name] = null;
        continue;
      }
      throw new TypeMismatchError(path, "missing from the task's inputs");
    }
    out[name] = await schema.fromLiteral(l, ctx, path);
  }
  return out;
}

export async function convertOutputs(outputs: SchemaMap, single: boolean, value: unknown, ctx: TransformContext): Promise<core.LiteralMap> {
  const names = Object.keys(outputs);
  let record: Record<string, unknown>;
  if (single) record = { o0: value };
  else if (names.length === 0) record = {};
  else {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new TypeMismatchError("outputs", `expected an object with ${names.join(", ")}, got ${value === null ? "null" : typeof value}`);
    }
    record = value as Record<string, unknown>;
    for (const k of Object.keys(record)) if (!(k in outputs)) throw new TypeMismatchError("outputs", `"${k}" is not a declared output (${names.join(", ")})`);
  }
  const literals: Record<string, core.Literal> = {};
  for (const { name, schema, path } of fields(outputs, "output")) {
    const v = record[name];
    if (v === undefined && schema.check(null, name) !== undefined) throw new TypeMismatchError(path, "was not returned");
    literals[name] = await schema.toLiteral(v === undefined ? null : v, ctx, path);
  }
  // Filled after create(): an init object would be walked by reflection, once per task run.
  const map = create(core.LiteralMapSchema);
  map.literals = literals;
  return map;
}

function describeError(e: unknown): TaskError {
  if (e instanceof RecoverableError) return { kind: "USER", code: e.code, message: e.message, recoverable: true };
  if (e instanceof TaskFailure || e instanceof TypeMismatchError || e instanceof DefinitionError || e instanceof SecretNotFoundError) {
    return { kind: "USER", code: e.code, message: e.message, recoverable: false };
  }
  if (e instanceof Error) {
    const code = typeof (e as { code?: unknown }).code === "string" ? String((e as unknown as { code: string }).code) : e.name;
    return { kind: "USER", code, message: e.stack ?? `${e.name}: ${e.message}`, recoverable: false };
  }
  return { kind: "USER", code: "UnknownError", message: String(e), recoverable: false };
}

async function dynamicSpec(task: RunnableTask, values: Record<string, unknown>, tctx: TaskContext, env: RunTaskEnv): Promise<core.DynamicJobSpec> {
  const builder = new GraphBuilder("d", `dynamic task "${env.taskName}"`);
  const result = withBuilder(builder, () => (task.fn as unknown as (v: unknown, c: TaskContext) => unknown)(values, tctx));
  const outputs = bindOutputs(`dynamic task "${env.taskName}"`, task.outputs, task.singleOutput, result);
  const id = env.taskId;
  // From a code bundle (on a server), every task the graph calls must be found in the bundle by its export; local
  // runs also run named, unexported tasks in-process.
  const s = new Serializer({
    project: id?.project ?? "",
    domain: id?.domain ?? "",
    version: id?.version ?? "",
    root: env.root ?? process.cwd(),
    allowUnexported: env.codeBundle === undefined,
    ...(env.codeBundle !== undefined ? { codeBundle: env.codeBundle } : {}),
  });
  const nodes: core.Node[] = [];
  for (const n of builder.nodes) nodes.push(await toCoreNode(n, s));
  return create(core.DynamicJobSpecSchema, {
    nodes,
    minSuccesses: BigInt(nodes.length),
    outputs: await bindings(outputs, s),
    tasks: [...s.tasks.values()],
    subworkflows: [...s.workflows.values()],
  });
}

// Read once: os.tmpdir() consults the environment on every call.
const TMP = tmpdir();
// Unique scratch names without a random draw per task (randomBytes was the largest cost of a no-op task).
const SESSION = randomBytes(4).toString("hex");
let attempts = 0;

const offloading = new WeakMap<SchemaMap, boolean>();

/** Whether inputs of these types may be downloaded into the scratch directory (files, directories, datasets). */
function offloads(inputs: SchemaMap): boolean {
  let r = offloading.get(inputs);
  if (r === undefined) {
    r = Object.values(inputs).some((s) => /blob|structured_dataset|<unknown|\bschema\b/.test(formatLiteralType(s.literalType())));
    offloading.set(inputs, r);
  }
  return r;
}

/** Runs `task` on `inputs`. Never throws for task errors: they come back as a failure outcome. */
export async function runTask(task: RunnableTask, inputs: core.LiteralMap, env: RunTaskEnv): Promise<TaskOutcome> {
  // The scratch directory is created only when something uses it: most tasks never touch disk, and creating and
  // removing a directory per task dominated the cost of small tasks.
  const scratchDir = `${TMP}/aloft-task-${process.pid}-${SESSION}-${attempts++}`;
  let touched = offloads(task.inputs);
  const ctx: TransformContext = { blobs: env.blobs, rawOutputPrefix: env.rawOutputPrefix, scratchDir };
  try {
    let values: Record<string, unknown>;
    try {
      values = await convertInputs(task.inputs, inputs, ctx);
    } catch (e) {
      return { kind: "failure", error: { kind: "SYSTEM", code: "InputConversionFailed", message: (e as Error).message, recoverable: false } };
    }
    const tctx: TaskContext = {
      taskName: env.taskName,
      rawOutputPrefix: env.rawOutputPrefix,
      get scratchDir() {
        touched = true;
        mkdirSync(scratchDir, { recursive: true });
        return scratchDir;
      },
      secrets: taskSecrets((task as { options?: TaskCommonOptions }).options?.secrets, env.secrets ?? { env: process.env, files: true }, env.taskName),
    };
    if (env.calls) Object.defineProperty(tctx, CALL_ENV, { value: { env: env.calls, convert: ctx } });
    try {
      if (task.mode === "dynamic") return { kind: "dynamic", spec: await dynamicSpec(task, values, tctx, env) };
      const result = await task.fn(values as never, tctx);
      return { kind: "success", outputs: await convertOutputs(task.outputs, task.singleOutput, result, ctx) };
    } catch (e) {
      return { kind: "failure", error: describeError(e) };
    }
  } finally {
    // Outputs were uploaded above; downloads and temporary files die with the attempt.
    if (touched) await rm(scratchDir, { recursive: true, force: true });
  }
}
