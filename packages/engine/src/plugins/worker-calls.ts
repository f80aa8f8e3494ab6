// Child actions across the worker-thread boundary: a Flyte 2 task running in a pool worker calls tasks through a
// ChildActions stand-in that sends each call (as protobuf bytes) to the main thread, where the attempt's real
// ChildActions makes the child action; the outcome comes back the same way. Sequence numbers are taken in the
// worker, when the code makes the call, so they follow program order as they do in-process.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import type { ChildActions, ChildCall, ChildOutcome } from "./plugin.ts";

/** Worker → main. */
export type CallMessage =
  | { id: number; op: "call"; callId: number; task: Uint8Array; inputs: Uint8Array; seq: number; group?: string }
  | { id: number; op: "trace"; callId: number; name: string; inputs: Uint8Array; seq: number; group?: string }
  | { id: number; op: "computed"; callId: number; outputs?: Uint8Array; error?: string };

/** Main → worker. */
export type CallReply =
  | { callId: number; outcome: { phase: ChildOutcome["phase"]; outputs?: Uint8Array; error?: { kind: "USER" | "SYSTEM"; code: string; message: string }; action: string } }
  | { callId: number; compute: true }
  | { callId: number; traced: Uint8Array }
  | { callId: number; failure: string };

interface Port {
  postMessage(m: unknown): void;
}

let nextCallId = 1;
const replies = new Map<number, (r: CallReply) => void>();

/** The worker's side: routes a reply from the main thread to the call waiting for it. */
export function onCallReply(r: CallReply): boolean {
  const done = replies.get(r.callId);
  if (!done) return false;
  done(r);
  return true;
}

/** The worker's ChildActions for one request. */
export function workerChildActions(port: Port, requestId: number): ChildActions {
  const seqs = new Map<string, number>();
  const next = (k: string, group: string | undefined) => {
    const key = `${k}\u0000${group ?? ""}`;
    const n = seqs.get(key) ?? 0;
    seqs.set(key, n + 1);
    return n;
  };
  return {
    sequence: (key, group) => next(`key:${key}`, group),
    call(c: ChildCall): Promise<ChildOutcome> {
      const callId = nextCallId++;
      const seq = c.seq ?? next(`task:${c.task.id?.name ?? ""}`, c.group);
      return new Promise((resolve, reject) => {
        replies.set(callId, (r) => {
          replies.delete(callId);
          if ("failure" in r) return reject(new Error(r.failure));
          if (!("outcome" in r)) return reject(new Error(`unexpected reply to call ${callId}`));
          const o = r.outcome;
          if (o.phase === "SUCCEEDED") resolve({ phase: "SUCCEEDED", outputs: fromBinary(core.LiteralMapSchema, o.outputs!), action: o.action });
          else resolve({ phase: o.phase, error: o.error!, action: o.action });
        });
        port.postMessage({
          id: requestId, op: "call", callId, task: toBinary(core.TaskTemplateSchema, c.task), inputs: toBinary(core.LiteralMapSchema, c.inputs), seq,
          ...(c.group ? { group: c.group } : {}),
        } satisfies CallMessage);
      });
    },
    trace(name, inputs, compute, group, seqNo) {
      const callId = nextCallId++;
      const seq = seqNo ?? next(`trace:${name}`, group);
      return new Promise((resolve, reject) => {
        replies.set(callId, (r) => {
          if ("compute" in r) {
            // Not recorded yet: run the function here and hand its result over to be recorded.
            compute().then(
              (out) => port.postMessage({ id: requestId, op: "computed", callId, outputs: toBinary(core.LiteralMapSchema, out) } satisfies CallMessage),
              (err: unknown) => port.postMessage({ id: requestId, op: "computed", callId, error: err instanceof Error ? err.message : String(err) } satisfies CallMessage),
            );
            return;
          }
          replies.delete(callId);
          if ("traced" in r) resolve(fromBinary(core.LiteralMapSchema, r.traced));
          else reject(new Error("failure" in r ? r.failure : `unexpected reply to trace ${callId}`));
        });
        port.postMessage({ id: requestId, op: "trace", callId, name, inputs: toBinary(core.LiteralMapSchema, inputs), seq, ...(group ? { group } : {}) } satisfies CallMessage);
      });
    },
  };
}

/** Traces computed in a worker, waiting for it to answer, by worker (call ids are per worker). */
const computingBy = new WeakMap<Port, Map<number, { resolve: (m: core.LiteralMap) => void; reject: (e: Error) => void }>>();

/** The main thread's side: serves one call message with the attempt's real ChildActions. */
export function serveCall(port: Port, m: CallMessage, actions: ChildActions | undefined): void {
  let computing = computingBy.get(port);
  if (!computing) computingBy.set(port, (computing = new Map()));
  const fail = (e: unknown) => port.postMessage({ callId: m.callId, failure: e instanceof Error ? e.message : String(e) } satisfies CallReply);
  if (m.op === "computed") {
    const c = computing.get(m.callId);
    computing.delete(m.callId);
    if (c) (m.outputs ? c.resolve(fromBinary(core.LiteralMapSchema, m.outputs)) : c.reject(new Error(m.error ?? "trace failed")));
    return;
  }
  if (!actions) return fail("this task runner offers no child actions");
  if (m.op === "call") {
    const call: ChildCall = { task: fromBinary(core.TaskTemplateSchema, m.task), inputs: fromBinary(core.LiteralMapSchema, m.inputs), seq: m.seq, ...(m.group ? { group: m.group } : {}) };
    actions.call(call).then((o) => {
      const outcome =
        o.phase === "SUCCEEDED"
          ? { phase: o.phase, outputs: toBinary(core.LiteralMapSchema, o.outputs), action: o.action }
          : { phase: o.phase, error: o.error, action: o.action };
      port.postMessage({ callId: m.callId, outcome } satisfies CallReply);
    }, fail);
    return;
  }
  const compute = () =>
    new Promise<core.LiteralMap>((resolve, reject) => {
      computing!.set(m.callId, { resolve, reject });
      port.postMessage({ callId: m.callId, compute: true } satisfies CallReply);
    });
  actions.trace(m.name, fromBinary(core.LiteralMapSchema, m.inputs), compute, m.group, m.seq).then(
    (out) => port.postMessage({ callId: m.callId, traced: toBinary(core.LiteralMapSchema, out) } satisfies CallReply),
    fail,
  );
}
