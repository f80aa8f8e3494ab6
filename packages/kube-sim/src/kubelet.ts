// A simulated kubelet (after kwok's): it binds every new pod to its node and moves it through Pending →
// Running → Succeeded/Failed, writing the status a real kubelet writes (conditions, container states, exit
// codes, reasons). What happens to a pod is a choice of the test (`outcome`), so every failure a scheduler,
// registry, node or container can cause is injectable; `run` really runs the primary container's command as a
// local process (the image is ignored) and keeps its output as the pod's log.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants } from "node:os";
import { ApiError } from "./errors.ts";
import { now, type Change, type Cluster, type Obj, type ResourceStore } from "./store.ts";

export type WaitingReason = "ImagePullBackOff" | "ErrImagePull" | "CreateContainerConfigError" | "CreateContainerError" | "InvalidImageName" | "ContainerCreating";

export type PodOutcome =
  /** Runs the primary container's command and args as a local process; its exit code ends the pod. */
  | { kind: "run" }
  /** The container exits with `code` after `afterMs`, printing `logs`. */
  | { kind: "exit"; code: number; afterMs?: number; reason?: string; logs?: string }
  /** The scheduler finds no node (PodScheduled False, Unschedulable). */
  | { kind: "unschedulable"; message?: string }
  /** The container never starts: it stays waiting for `reason`. */
  | { kind: "waiting"; reason: WaitingReason; message?: string }
  /** The container exceeds its memory limit. */
  | { kind: "oomKilled"; afterMs?: number }
  /** The node evicts the pod (no container records an end). */
  | { kind: "evicted"; message?: string; afterMs?: number }
  /** The node shuts down: the pod fails with reason Terminated and its container is SIGKILLed. */
  | { kind: "nodeShutdown"; afterMs?: number }
  /** Runs until deleted. */
  | { kind: "hang" };

export interface KubeletOptions {
  nodeName?: string;
  /** Time between the kubelet's status updates. Default 5 ms. */
  stepMs?: number;
  /** What happens to each new pod. Default: the container exits 0. */
  outcome?: (pod: Obj) => PodOutcome;
  /** Environment of commands run by `run` outcomes, under the container's own env (e.g. PATH). */
  baseEnv?: Record<string, string>;
  /**
   * The images' working directory (their WORKDIR) for `run` outcomes whose container sets no workingDir: where a
   * TypeScript task image has its node_modules. Default: a fresh directory per pod.
   */
  imageWorkingDir?: string;
}

interface Running {
  process?: ChildProcess;
  timer?: NodeJS.Timeout;
  dir?: string;
  deleted: boolean;
}

const SIGKILL_EXIT = 137;

export class SimulatedKubelet {
  readonly nodeName: string;
  outcome: (pod: Obj) => PodOutcome;
  private readonly stepMs: number;
  private readonly running = new Map<string, Running>();
  private readonly logs = new Map<string, string>();
  private readonly unsubscribe: () => void;
  private readonly pods: ResourceStore;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: KubeletOptions = {},
  ) {
    this.nodeName = options.nodeName ?? "sim-node-1";
    this.stepMs = options.stepMs ?? 5;
    this.outcome = options.outcome ?? (() => ({ kind: "exit", code: 0 }));
    this.pods = cluster.store("Pod");
    this.unsubscribe = this.pods.subscribe((c) => this.onChange(c));
  }

  /** The pod's log as `kubectl logs` reads it. */
  log(namespace: string, name: string): string | undefined {
    return this.logs.get(`${namespace}/${name}`);
  }

  stop(): void {
    this.unsubscribe();
    for (const r of this.running.values()) this.kill(r);
    this.running.clear();
  }

  private onChange(c: Change): void {
    const key = `${c.object.metadata.namespace}/${c.object.metadata.name}`;
    if (c.type === "ADDED" && !c.object.spec?.nodeName) {
      const r: Running = { deleted: false };
      this.running.set(key, r);
      this.logs.set(key, "");
      // Off the API call's stack, as a real kubelet reacts to its watch.
      setTimeout(() => this.start(c.object, r), this.stepMs);
    }
    if (c.type === "DELETED") {
      const r = this.running.get(key);
      if (r) {
        r.deleted = true;
        this.kill(r);
        this.running.delete(key);
      }
    }
  }

  private async start(pod: Obj, r: Running): Promise<void> {
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    const outcome = this.outcome(pod);
    if (outcome.kind === "unschedulable") {
      this.setStatus(r, ns, name, (s) => ({
        ...s,
        phase: "Pending",
        conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: outcome.message ?? "0/1 nodes are available: 1 Insufficient cpu.", lastTransitionTime: now() }],
      }));
      return;
    }
    if (!this.bind(r, ns, name)) return;
    const containers = ((pod.spec?.containers ?? []) as { name: string; image: string }[]).map((c) => c.name);
    const primary = pod.metadata.annotations?.primary_container_name ?? containers[0]!;
    const statuses = (state: Record<string, unknown>, ready = false, extra: Record<string, unknown> = {}) =>
      containers.map((c) => ({ name: c, image: imageOf(pod, c), imageID: "", ready, restartCount: 0, started: ready, state, ...(c === primary ? extra : {}) }));
    const conditions = (ready: boolean, reason?: string) => [
      { type: "PodScheduled", status: "True", lastTransitionTime: now() },
      { type: "Initialized", status: "True", lastTransitionTime: now() },
      { type: "ContainersReady", status: ready ? "True" : "False", ...(reason ? { reason } : {}), lastTransitionTime: now() },
      { type: "Ready", status: ready ? "True" : "False", ...(reason ? { reason } : {}), lastTransitionTime: now() },
    ];
    const env = outcome.kind === "run" ? this.environment(pod, primary) : undefined;
    if (env instanceof Error || outcome.kind === "waiting") {
      const reason = outcome.kind === "waiting" ? outcome.reason : "CreateContainerConfigError";
      const message = outcome.kind === "waiting" ? (outcome.message ?? `simulated ${reason}`) : (env as Error).message;
      this.setStatus(r, ns, name, (s) => ({ ...s, phase: "Pending", conditions: conditions(false, "ContainersNotReady"), containerStatuses: statuses({ waiting: { reason, message } }) }));
      return;
    }
    const startedAt = now();
    this.setStatus(r, ns, name, (s) => ({
      ...s,
      phase: "Running",
      hostIP: "10.0.0.1",
      podIP: "10.244.0.10",
      startTime: startedAt,
      conditions: conditions(true),
      containerStatuses: statuses({ running: { startedAt } }, true, { containerID: `sim://${pod.metadata.uid}` }),
    }));
    const end = (code: number, reason: string, podFields: Record<string, unknown> = {}) => {
      const terminated = { exitCode: code, reason, startedAt, finishedAt: now(), containerID: `sim://${pod.metadata.uid}` };
      this.setStatus(r, ns, name, (s) => ({
        ...s,
        phase: code === 0 ? "Succeeded" : "Failed",
        conditions: conditions(false, "PodCompleted"),
        containerStatuses: statuses({ terminated }, false, { containerID: terminated.containerID }),
        ...podFields,
      }));
      if (r.dir) rmSync(r.dir, { recursive: true, force: true });
    };
    const later = (ms: number | undefined, fn: () => void) => {
      r.timer = setTimeout(fn, ms ?? this.stepMs);
    };
    switch (outcome.kind) {
      case "exit":
        if (outcome.logs) this.appendLog(ns, name, outcome.logs);
        later(outcome.afterMs, () => end(outcome.code, outcome.reason ?? (outcome.code === 0 ? "Completed" : "Error")));
        return;
      case "oomKilled":
        later(outcome.afterMs, () => end(SIGKILL_EXIT, "OOMKilled"));
        return;
      case "nodeShutdown":
        later(outcome.afterMs, () => end(SIGKILL_EXIT, "Error", { reason: "Terminated", message: "Pod was terminated in response to imminent node shutdown." }));
        return;
      case "evicted":
        later(outcome.afterMs, () =>
          this.setStatus(r, ns, name, (s) => ({
            ...s,
            phase: "Failed",
            reason: "Evicted",
            message: outcome.message ?? "The node was low on resource: memory.",
            conditions: conditions(false, "PodFailed"),
            containerStatuses: statuses({ waiting: { reason: "ContainerCreating" } }),
          })),
        );
        return;
      case "hang":
        return;
      case "run":
        this.run(pod, primary, env as Record<string, string>, r, (code, reason) => end(code, reason));
        return;
    }
  }

  private run(pod: Obj, primary: string, env: Record<string, string>, r: Running, end: (code: number, reason: string) => void): void {
    const c = ((pod.spec?.containers ?? []) as { name: string; command?: string[]; args?: string[]; workingDir?: string }[]).find((x) => x.name === primary)!;
    const cwd = (dir: string) => c.workingDir ?? this.options.imageWorkingDir ?? dir;
    const argv = [...(c.command ?? []), ...(c.args ?? [])];
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    if (argv.length === 0) {
      this.appendLog(ns, name, "the simulated kubelet runs commands, and this container has none (an image's entrypoint cannot run here)\n");
      end(1, "Error");
      return;
    }
    r.dir = mkdtempSync(join(tmpdir(), `kube-sim-${name}-`));
    const child = spawn(argv[0]!, argv.slice(1), { cwd: cwd(r.dir), env: { ...env, HOME: r.dir, TMPDIR: r.dir }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    r.process = child;
    child.stdout.on("data", (d: Buffer) => this.appendLog(ns, name, d.toString()));
    child.stderr.on("data", (d: Buffer) => this.appendLog(ns, name, d.toString()));
    child.on("error", (e) => {
      this.appendLog(ns, name, `${e.message}\n`);
      if (!r.deleted) end(127, "StartError");
    });
    child.on("close", (code, signal) => {
      r.process = undefined;
      if (r.deleted) return;
      if (signal) end(128 + (constants.signals[signal] ?? 9), "Error");
      else end(code ?? 1, code === 0 ? "Completed" : "Error");
    });
  }

  /** The container's environment as a kubelet resolves it; a missing secret or config map is an Error. */
  private environment(pod: Obj, container: string): Record<string, string> | Error {
    const env: Record<string, string> = { ...this.options.baseEnv, HOSTNAME: pod.metadata.name!, KUBERNETES_SERVICE_HOST: "127.0.0.1" };
    const c = ((pod.spec?.containers ?? []) as { name: string; env?: EnvVar[] }[]).find((x) => x.name === container);
    for (const e of c?.env ?? []) {
      if (e.value !== undefined) env[e.name] = expand(e.value, env);
      else if (e.valueFrom?.secretKeyRef || e.valueFrom?.configMapKeyRef) {
        const ref = (e.valueFrom.secretKeyRef ?? e.valueFrom.configMapKeyRef)!;
        const secret = e.valueFrom.secretKeyRef !== undefined;
        try {
          const obj = this.cluster.store(secret ? "Secret" : "ConfigMap").get(pod.metadata.namespace, ref.name) as Obj & { data?: Record<string, string> };
          const raw = obj.data?.[ref.key];
          if (raw === undefined) {
            if (ref.optional) continue;
            return new Error(`couldn't find key ${ref.key} in ${secret ? "Secret" : "ConfigMap"} ${pod.metadata.namespace}/${ref.name}`);
          }
          env[e.name] = secret ? Buffer.from(raw, "base64").toString("utf8") : raw;
        } catch (err) {
          if (err instanceof ApiError && err.code === 404) {
            if (ref.optional) continue;
            return new Error(`${secret ? "secret" : "configmap"} "${ref.name}" not found`);
          }
          throw err;
        }
      } else if (e.valueFrom?.fieldRef) {
        const p = e.valueFrom.fieldRef.fieldPath;
        env[e.name] = p === "metadata.name" ? pod.metadata.name! : p === "metadata.namespace" ? pod.metadata.namespace! : p === "metadata.uid" ? pod.metadata.uid! : p === "spec.nodeName" ? this.nodeName : "";
      }
    }
    return env;
  }

  private bind(r: Running, ns: string, name: string): boolean {
    if (r.deleted) return false;
    try {
      const pod = this.pods.get(ns, name);
      this.pods.update(ns, name, { ...pod, spec: { ...pod.spec, nodeName: this.nodeName } });
      this.pods.update(ns, name, { ...this.pods.get(ns, name), status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: now() }] } }, { subresource: "status" });
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return false;
      throw e;
    }
  }

  private setStatus(r: Running, ns: string, name: string, f: (s: Record<string, unknown>) => Record<string, unknown>): void {
    if (r.deleted) return;
    try {
      const pod = this.pods.get(ns, name);
      this.pods.update(ns, name, { ...pod, status: f(pod.status ?? {}) }, { subresource: "status" });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }

  private appendLog(ns: string, name: string, text: string): void {
    const key = `${ns}/${name}`;
    // Kept bounded: a chatty command must not grow the simulator without limit.
    this.logs.set(key, ((this.logs.get(key) ?? "") + text).slice(-1_000_000));
  }

  private kill(r: Running): void {
    if (r.timer) clearTimeout(r.timer);
    if (r.process?.pid !== undefined) {
      try {
        process.kill(-r.process.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    if (r.dir) rmSync(r.dir, { recursive: true, force: true });
  }
}

type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef; fieldRef?: { fieldPath: string } };
};
type KeyRef = { name: string; key: string; optional?: boolean };

/** `$(VAR)` references to earlier variables, as the kubelet expands them. */
function expand(value: string, env: Record<string, string>): string {
  return value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n: string) => env[n] ?? m);
}

function imageOf(pod: Obj, container: string): string {
  return ((pod.spec?.containers ?? []) as { name: string; image: string }[]).find((c) => c.name === container)?.image ?? "";
}
