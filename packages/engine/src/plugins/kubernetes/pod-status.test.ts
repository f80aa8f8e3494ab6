import type { V1ContainerStatus, V1Pod, V1PodCondition } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { podPhase, type PodStatusOptions } from "./pod-status.ts";

const NOW = Date.parse("2026-01-01T00:10:00Z");
const minutesAgo = (m: number) => new Date(NOW - m * 60_000);
const opts: PodStatusOptions = { imagePullBackoffGracePeriodMs: 180_000, createContainerErrorGracePeriodMs: 180_000, podPendingTimeoutMs: 0, primaryContainerName: "main" };

const pod = (phase: string, more: { reason?: string; conditions?: V1PodCondition[]; containers?: V1ContainerStatus[]; created?: Date } = {}): V1Pod => ({
  metadata: { name: "p", creationTimestamp: more.created ?? minutesAgo(1) },
  status: { phase, ...(more.reason ? { reason: more.reason } : {}), conditions: more.conditions ?? [], containerStatuses: more.containers ?? [] },
});
const notReady = (minutes: number): V1PodCondition => ({ type: "Ready", status: "False", reason: "ContainersNotReady", lastTransitionTime: minutesAgo(minutes) });
const waiting = (reason: string): V1ContainerStatus => ({ name: "main", image: "x", imageID: "", ready: false, restartCount: 0, state: { waiting: { reason, message: `${reason} happened` } } });
const terminated = (exitCode: number, reason: string, name = "main"): V1ContainerStatus => ({ name, image: "x", imageID: "", ready: false, restartCount: 0, state: { terminated: { exitCode, reason } } });

// [description, pod, expected phase, expected failure kind/code/recoverable]
const table: [string, V1Pod, string, { kind?: string; code?: string; recoverable?: boolean }?][] = [
  ["a pod with no status yet is queued", pod("Pending"), "queued"],
  ["an unschedulable pod is queued", pod("Pending", { conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes available" }] }), "queued"],
  ["a pulling image is initializing", pod("Pending", { conditions: [notReady(0)], containers: [waiting("ContainerCreating")] }), "initializing"],
  ["ErrImagePull is initializing (it becomes ImagePullBackOff)", pod("Pending", { conditions: [notReady(10)], containers: [waiting("ErrImagePull")] }), "initializing"],
  ["ImagePullBackOff within the grace period is initializing", pod("Pending", { conditions: [notReady(1)], containers: [waiting("ImagePullBackOff")] }), "initializing"],
  ["ImagePullBackOff past the grace period is a retryable user error", pod("Pending", { conditions: [notReady(5)], containers: [waiting("ImagePullBackOff")] }), "failed", { kind: "USER", code: "ContainersNotReady|ImagePullBackOff", recoverable: true }],
  ["CreateContainerConfigError is permanent", pod("Pending", { conditions: [notReady(0)], containers: [waiting("CreateContainerConfigError")] }), "failed", { kind: "USER", code: "ContainersNotReady|CreateContainerConfigError", recoverable: false }],
  ["InvalidImageName is permanent", pod("Pending", { conditions: [notReady(0)], containers: [waiting("InvalidImageName")] }), "failed", { kind: "USER", recoverable: false }],
  ["CreateContainerError within the grace period is initializing", pod("Pending", { conditions: [notReady(1)], containers: [waiting("CreateContainerError")] }), "initializing"],
  ["CreateContainerError past the grace period fails", pod("Pending", { conditions: [notReady(4)], containers: [waiting("CreateContainerError")] }), "failed", { kind: "USER", recoverable: false }],
  ["an unknown waiting reason is a retryable failure", pod("Pending", { conditions: [notReady(0)], containers: [waiting("RunContainerError")] }), "failed", { kind: "USER", recoverable: true }],
  ["a running pod is running", pod("Running", { containers: [{ ...waiting("x"), state: { running: {} } }] }), "running"],
  ["a running pod whose primary container exited 0 succeeded (sidecars still up)", pod("Running", { containers: [terminated(0, "Completed"), { ...waiting("x"), name: "side", state: { running: {} } }] }), "succeeded"],
  ["a running pod whose primary container exited 1 failed", pod("Running", { containers: [terminated(1, "Error")] }), "failed", { kind: "USER", code: "Error", recoverable: true }],
  ["a succeeded pod succeeded", pod("Succeeded"), "succeeded"],
  ["a non-zero exit is a retryable user error", pod("Failed", { containers: [terminated(2, "Error")] }), "failed", { kind: "USER", code: "Error", recoverable: true }],
  ["OOMKilled is a retryable user error", pod("Failed", { containers: [terminated(137, "OOMKilled")] }), "failed", { kind: "USER", code: "OOMKilled", recoverable: true }],
  ["SIGKILL of the primary container is a system error", pod("Failed", { containers: [terminated(137, "Error")] }), "failed", { kind: "SYSTEM", code: "Interrupted", recoverable: true }],
  ["an evicted pod is a retryable system error", pod("Failed", { reason: "Evicted" }), "failed", { kind: "SYSTEM", code: "Evicted", recoverable: true }],
  ["a preempted pod is a retryable system error", pod("Failed", { reason: "Preempted" }), "failed", { kind: "SYSTEM", code: "Preempted", recoverable: true }],
  ["node shutdown is a system error", pod("Failed", { reason: "Shutdown" }), "failed", { kind: "SYSTEM", code: "Shutdown" }],
  ["a failed pod no container recorded an end for is a system error", pod("Failed"), "failed", { kind: "SYSTEM", code: "UnknownError", recoverable: true }],
];

describe("pod status → attempt phase", () => {
  it.each(table)("%s", (_name, p, phase, failure) => {
    const got = podPhase(p, NOW, opts);
    expect(got.phase).toBe(phase);
    if (failure) expect(got.phase === "failed" && got.failure).toMatchObject(failure);
  });

  it("fails a pod pending longer than the configured timeout, and never without one", () => {
    const p = pod("Pending", { created: minutesAgo(9), conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }] });
    expect(podPhase(p, NOW, opts).phase).toBe("queued");
    const got = podPhase(p, NOW, { ...opts, podPendingTimeoutMs: 5 * 60_000 });
    expect(got).toMatchObject({ phase: "failed", failure: { kind: "SYSTEM", code: "PodPendingTimeout", recoverable: true } });
  });

  it("names the containers and exit codes in a failure's message", () => {
    const got = podPhase(pod("Failed", { containers: [terminated(3, "Error")] }), NOW, opts);
    expect(got.phase === "failed" && got.failure.message).toContain("[main] terminated with exit code (3)");
  });
});
