// `aloft-task`, the command in every TypeScript task's container (Aloft's pyflyte-execute): reads inputs.pb from
// the blob store, runs the task, and writes outputs.pb, futures.pb (dynamic tasks) or error.pb under the output
// prefix, where the engine (or Flyte's propeller) looks for them.
import { create, toBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { joinUri } from "../types/offload.ts";
import { blobIO, storeFor } from "./blob-io.ts";
import { executeTask } from "./execute.ts";

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

export function errorDocument(kind: "USER" | "SYSTEM", code: string, message: string, recoverable: boolean): core.ErrorDocument {
  return create(core.ErrorDocumentSchema, {
    error: create(core.ContainerErrorSchema, {
      code,
      message,
      kind: recoverable ? core.ContainerError_Kind.RECOVERABLE : core.ContainerError_Kind.NON_RECOVERABLE,
      origin: kind === "USER" ? core.ExecutionError_ErrorKind.USER : core.ExecutionError_ErrorKind.SYSTEM,
    }),
  });
}

/** Returns the process exit code: 0 on success (outputs or futures written), 1 when the task failed. */
export async function aloftTaskMain(argv: string[], log: (text: string) => void = (t) => process.stderr.write(t + "\n")): Promise<number> {
  const args = argv[0] === "aloft-task" ? argv.slice(1) : argv;
  const inputsUri = flag(args, "inputs");
  const outputPrefix = flag(args, "output-prefix");
  const rawOutputPrefix = flag(args, "raw-output-data-prefix") ?? outputPrefix;
  if (!inputsUri || !outputPrefix || !rawOutputPrefix) {
    log("aloft-task: --inputs, --output-prefix and --raw-output-data-prefix are required");
    return 2;
  }
  const blobs = blobIO(storeFor(outputPrefix));
  const runtimeArgs = args.filter((_, i) => {
    const k = args[i - (i % 2)];
    return !["--inputs", "--output-prefix", "--raw-output-data-prefix"].includes(k ?? "");
  });
  let response;
  try {
    const env = process.env;
    // Flyte's container contract names the running task in the environment (flytekit reads the same variables).
    const task = env.FLYTE_INTERNAL_TASK_PROJECT
      ? { project: env.FLYTE_INTERNAL_TASK_PROJECT, domain: env.FLYTE_INTERNAL_TASK_DOMAIN ?? "", name: env.FLYTE_INTERNAL_TASK_NAME ?? "", version: env.FLYTE_INTERNAL_TASK_VERSION ?? "" }
      : undefined;
    response = await executeTask({ args: runtimeArgs, inputs: await blobs.read(inputsUri), outputPrefix, rawOutputPrefix, ...(task ? { task } : {}) });
  } catch (e) {
    response = { error: { kind: "SYSTEM" as const, code: "RuntimeFailure", message: (e as Error).stack ?? String(e), recoverable: true } };
  }
  if ("outputs" in response) {
    await blobs.write(joinUri(outputPrefix, "outputs.pb"), response.outputs);
    return 0;
  }
  if ("futures" in response) {
    await blobs.write(joinUri(outputPrefix, "futures.pb"), response.futures);
    return 0;
  }
  const { kind, code, message, recoverable } = response.error;
  await blobs.write(joinUri(outputPrefix, "error.pb"), toBinary(core.ErrorDocumentSchema, errorDocument(kind, code, message, recoverable)));
  log(`aloft-task: ${kind} error ${code}: ${message}`);
  return 1;
}
