// Runs inside a worker thread: imports the TypeScript runtime module once, then executes task
// requests from the pool. Errors thrown by the runtime become SYSTEM failures of that request only.
import { parentPort, workerData } from "node:worker_threads";
import type { ChildActions } from "./plugin.ts";
import { onCallReply, workerChildActions, type CallReply } from "./worker-calls.ts";

/** A task failure as the runtime reports it; `recoverable: false` means retries would not help. */
export interface RuntimeError {
  kind: "USER" | "SYSTEM";
  code: string;
  message: string;
  recoverable?: boolean;
}

/** What the runtime answers: outputs, a dynamic task's DynamicJobSpec bytes (futures.pb), or an error. */
export type RuntimeReply = { outputs: Uint8Array } | { futures: Uint8Array } | { error: RuntimeError };

interface RuntimeModule {
  /** `calls`: the attempt's child actions, when the engine offers them (Flyte 2 tasks calling tasks). */
  executeTask(request: Omit<WorkerRequest, "id" | "calls">, calls?: ChildActions): Promise<RuntimeReply>;
}

export interface WorkerRequest {
  id: number;
  args: string[];
  inputs: Uint8Array;
  outputPrefix: string;
  rawOutputPrefix: string;
  /** The task's registered identity (project, domain, name, version). */
  task?: { project: string; domain: string; name: string; version: string };
  /** The task's declared secrets, by flytekit's variable names, for this request only. */
  secrets?: Record<string, string>;
  /** The main thread serves child actions for this request (see worker-calls.ts). */
  calls?: boolean;
}

export type WorkerReply = RuntimeReply & { id: number };

const port = parentPort;
if (!port) throw new Error("typescript-worker must run in a worker thread");
const runtime = (await import(workerData.runtime as string)) as Partial<RuntimeModule>;
if (typeof runtime.executeTask !== "function") {
  throw new Error(`TypeScript runtime ${workerData.runtime as string} does not export executeTask()`);
}
const executeTask = runtime.executeTask.bind(runtime);

port.on("message", (req: WorkerRequest | CallReply) => {
  if ("callId" in req) {
    onCallReply(req);
    return;
  }
  const { id: _id, calls, ...request } = req;
  executeTask(request, calls ? workerChildActions(port, req.id) : undefined).then(
    (res) => {
      port.postMessage({ ...res, id: req.id } satisfies WorkerReply);
    },
    (err: unknown) => {
      port.postMessage({ id: req.id, error: { kind: "SYSTEM", code: "RuntimeError", message: err instanceof Error ? err.message : String(err) } } satisfies WorkerReply);
    },
  );
});
port.postMessage({ ready: true });
