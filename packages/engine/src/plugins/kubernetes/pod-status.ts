// A Pod's status as the attempt's phase, read as Flyte's pod plugin reads it (DemystifyPending,
// DemystifyFailure, the primary container's state): pending pods are queued or initializing until a
// waiting reason says they never will start; a failed pod's reason and its containers' terminations say
// whose failure it was. Pure: the clock is an argument.
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import type { TaskFailure } from "../plugin.ts";

export type PodPhase =
  | { phase: "queued"; reason: string; message: string }
  | { phase: "initializing"; reason: string; message: string }
  | { phase: "running" }
  | { phase: "succeeded" }
  | { phase: "failed"; failure: TaskFailure };

export interface PodStatusOptions {
  imagePullBackoffGracePeriodMs: number;
  createContainerErrorGracePeriodMs: number;
  /** 0: a pod may stay pending forever. */
  podPendingTimeoutMs: number;
  /** The container whose exit decides the attempt (pods with sidecars end when it ends). */
  primaryContainerName: string;
}

const SIGKILL_EXIT = 137;
/** Pod reasons the node (not the task) is responsible for: system errors, retried outside the task's retries. */
const NODE_REASONS = new Set(["Evicted", "Preempted", "Preempting", "Shutdown", "NodeShutdown", "Terminated", "NodeLost", "UnexpectedAdmissionError", "NodeAffinity", "OutOfcpu", "OutOfmemory"]);

const fail = (kind: TaskFailure["kind"], code: string, message: string, recoverable: boolean): PodPhase => ({ phase: "failed", failure: { kind, code, message, recoverable } });

export function podPhase(pod: V1Pod, now: number, o: PodStatusOptions): PodPhase {
  const status = pod.status ?? {};
  switch (status.phase) {
    case "Succeeded":
      return { phase: "succeeded" };
    case "Failed":
      return demystifyFailure(pod);
    case "Running": {
      const primary = status.containerStatuses?.find((c) => c.name === o.primaryContainerName);
      const t = primary?.state?.terminated;
      if (!t) return { phase: "running" };
      if (t.exitCode === 0) return { phase: "succeeded" };
      return containerFailure(primary!, pod);
    }
    default: {
      const pending = demystifyPending(pod, now, o);
      if (o.podPendingTimeoutMs > 0 && (pending.phase === "queued" || pending.phase === "initializing")) {
        const created = time(pod.metadata?.creationTimestamp);
        if (created !== undefined && now - created >= o.podPendingTimeoutMs) {
          return fail("SYSTEM", "PodPendingTimeout", `the pod stayed pending for more than ${o.podPendingTimeoutMs / 1000} s (${pending.reason}: ${pending.message})`, true);
        }
      }
      return pending;
    }
  }
}

function demystifyPending(pod: V1Pod, now: number, o: PodStatusOptions): PodPhase {
  const status = pod.status ?? {};
  for (const c of status.conditions ?? []) {
    if (c.type === "PodScheduled" && c.status === "False") {
      return { phase: "queued", reason: c.reason ?? "Unschedulable", message: c.message ?? "" };
    }
    if (c.type !== "Ready" || c.status !== "False") continue;
    for (const cs of [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]) {
      const w = cs.state?.waiting;
      if (cs.ready || !w) continue;
      const reason = `${c.reason ?? ""}|${w.reason ?? ""}`;
      const message = `${c.message ?? ""}|${w.message ?? ""}`;
      const since = now - (time(c.lastTransitionTime) ?? now);
      switch (w.reason) {
        case "ErrImagePull":
        case "ContainerCreating":
        case "PodInitializing":
          return { phase: "initializing", reason, message };
        case "CreateContainerError":
          if (since >= o.createContainerErrorGracePeriodMs) return fail("USER", reason, afterGrace(message, o.createContainerErrorGracePeriodMs), false);
          return { phase: "initializing", reason, message };
        case "CreateContainerConfigError":
        case "InvalidImageName":
          return fail("USER", reason, message, false);
        case "ImagePullBackOff":
          if (since >= o.imagePullBackoffGracePeriodMs) return fail("USER", reason, afterGrace(message, o.imagePullBackoffGracePeriodMs), true);
          return { phase: "initializing", reason, message };
        default:
          // Waiting for anything but the known start-up reasons means it will not start: fail rather than
          // wait for the pod to be reaped.
          return fail("USER", reason, message, true);
      }
    }
  }
  return { phase: "queued", reason: "Scheduling", message: "" };
}

function demystifyFailure(pod: V1Pod): PodPhase {
  const status = pod.status ?? {};
  let code = status.reason || "UnknownError";
  let message = status.message || "Pod failed. No message received from kubernetes.";
  let system = NODE_REASONS.has(code);
  let terminated = false;
  for (const cs of [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]) {
    const t = cs.lastState?.terminated ?? cs.state?.terminated;
    if (!t) continue;
    terminated = true;
    if (t.reason?.includes("OOMKilled")) code = "OOMKilled";
    else if (t.exitCode === SIGKILL_EXIT) {
      // Nodes going away SIGKILL everything on them: the task did not fail, its node did.
      code = "Interrupted";
      system = true;
    } else if (t.exitCode !== 0 && code === "UnknownError") code = t.reason || "ContainerFailed";
    message += t.exitCode === 0 ? `\n[${cs.name}] terminated with exit code 0.` : `\n[${cs.name}] terminated with exit code (${t.exitCode}). Reason [${t.reason ?? ""}]. Message: ${t.message ?? ""}.`;
  }
  // No container recorded an end: the kubelet had no chance to (node lost or preempted), so not the task's fault.
  if (code === "UnknownError" && !terminated) system = true;
  if (code === "OOMKilled") system = false;
  return fail(system ? "SYSTEM" : "USER", code, message, true);
}

function containerFailure(cs: V1ContainerStatus, pod: V1Pod): PodPhase {
  const t = cs.state!.terminated!;
  if (t.reason?.includes("OOMKilled")) return fail("USER", "OOMKilled", `[${cs.name}] was killed for using more memory than its limit`, true);
  if (t.exitCode === SIGKILL_EXIT) return fail("SYSTEM", "Interrupted", `[${cs.name}] was killed (SIGKILL) on node ${pod.spec?.nodeName ?? "?"}`, true);
  return fail("USER", t.reason || "ContainerFailed", `[${cs.name}] terminated with exit code (${t.exitCode}). Reason [${t.reason ?? ""}]. Message: ${t.message ?? ""}.`, true);
}

function afterGrace(message: string, ms: number): string {
  return `Grace period [${ms / 1000} s] exceeded|${message}`;
}

function time(t: Date | string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}
