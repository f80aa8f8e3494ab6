// What a finished pod left under the attempt's output prefix, read as flytepropeller reads it: error.pb (the
// task's own account of its failure) wins, then futures.pb (a dynamic task's next workflow), then outputs.pb.
import { create, fromBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import type { TaskExecutionContext, TaskFailure, TaskResult } from "../plugin.ts";

export async function errorDocument(ctx: TaskExecutionContext): Promise<TaskFailure | undefined> {
  const bytes = await ctx.blobStore.get(`${ctx.outputPrefix}/error.pb`);
  if (!bytes) return undefined;
  const e = fromBinary(core.ErrorDocumentSchema, bytes).error;
  return {
    kind: e?.origin === core.ExecutionError_ErrorKind.SYSTEM ? "SYSTEM" : "USER",
    code: e?.code || "TaskFailed",
    message: e?.message ?? "",
    recoverable: e?.kind === core.ContainerError_Kind.RECOVERABLE,
  };
}

/** The result of a pod that succeeded. */
export async function successResult(ctx: TaskExecutionContext): Promise<TaskResult> {
  const error = await errorDocument(ctx);
  if (error) return { kind: "failure", error };
  const futures = await ctx.blobStore.get(`${ctx.outputPrefix}/futures.pb`);
  if (futures) return { kind: "dynamic", spec: fromBinary(core.DynamicJobSpecSchema, futures) };
  const outputs = await ctx.blobStore.get(`${ctx.outputPrefix}/outputs.pb`);
  if (outputs) return { kind: "success", outputs: fromBinary(core.LiteralMapSchema, outputs), encoded: outputs };
  if (Object.keys(ctx.task.interface?.outputs?.variables ?? {}).length === 0) return { kind: "success", outputs: create(core.LiteralMapSchema) };
  return { kind: "failure", error: { kind: "SYSTEM", code: "OutputsNotFound", message: `the pod succeeded but wrote no ${ctx.outputPrefix}/outputs.pb`, recoverable: true } };
}
