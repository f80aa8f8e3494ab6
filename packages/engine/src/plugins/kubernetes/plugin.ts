// The pod plugin: a task attempt as a Kubernetes Pod (flyteplugins' pod plugin). The pod is built by the pure
// core (pod-spec.ts), created under a name fixed by the attempt (so an engine that restarts finds the pod it
// made instead of creating a second), followed through the namespace's informer, and read with pod-status.ts;
// its outputs come from the blob store. Aborting deletes the pod; finished pods are deleted per configuration.
import { ApiException, CoreV1Api, KubeConfig, type V1Pod } from "@kubernetes/client-node";
import type { core } from "@aloft/idl";
import type { TaskExecutionContext, TaskFailure, TaskPlugin, TaskResult } from "../plugin.ts";
import type { KubernetesConfig } from "./config.ts";
import { namespaceFor, podName } from "./names.ts";
import { PodInformers } from "./pod-informer.ts";
import { ACTION_KEY_ANNOTATION, buildPod, primaryContainerName, type PodAttempt } from "./pod-spec.ts";
import { podPhase, type PodPhase } from "./pod-status.ts";
import { errorDocument, successResult } from "./results.ts";

export interface KubernetesPluginOptions {
  config: KubernetesConfig;
  /** Default: from config.kubeconfig, else KUBECONFIG / ~/.kube/config / the in-cluster service account. */
  kubeConfig?: KubeConfig;
  /** Told of informer errors (they restart by themselves). */
  onError?: (message: string) => void;
  /** How often a pod waiting in Pending is re-read from the cache for its grace periods. Default 5 s. */
  pendingCheckMs?: number;
  /**
   * API requests (create, delete, log) in flight at once, as client-go's rate limit keeps a controller from
   * flooding the API server: thousands of attempts starting together otherwise open thousands of connections
   * at once, and the server resets them. Default 32.
   */
  maxRequestsInFlight?: number;
}

export const KUBERNETES_PLUGIN = "kubernetes-pod";

export function loadKubeConfig(config: KubernetesConfig): KubeConfig {
  const kc = new KubeConfig();
  if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
  else kc.loadFromDefault();
  return kc;
}

/** Whether the routing configuration sends this task to a pod. */
export function routesToPod(task: core.TaskTemplate, route: KubernetesConfig["route"]): boolean {
  if (task.target.case !== "container" && task.target.case !== "k8sPod") return false;
  const empty = route.taskTypes.length === 0 && route.projects.length === 0 && route.tasks.length === 0;
  if (empty) return true;
  const id = task.id;
  return route.taskTypes.includes(task.type) || (id !== undefined && (route.projects.includes(id.project) || route.tasks.includes(id.name)));
}

export function kubernetesPodPlugin(options: KubernetesPluginOptions): TaskPlugin {
  const { config } = options;
  const kc = options.kubeConfig ?? loadKubeConfig(config);
  const api = kc.makeApiClient(CoreV1Api);
  const informers = new PodInformers(kc, api, { onError: (ns, e) => options.onError?.(`pod informer for namespace ${ns}: ${(e as Error)?.message ?? String(e)}`) });
  return {
    name: KUBERNETES_PLUGIN,
    canHandle: (task) => routesToPod(task, config.route),
    execute: (ctx) => runPod(ctx, { config, api, informers, pendingCheckMs: options.pendingCheckMs ?? 5000, limit: limiter(options.maxRequestsInFlight ?? 32) }),
    close: () => informers.close(),
  };
}

interface Deps {
  config: KubernetesConfig;
  api: CoreV1Api;
  informers: PodInformers;
  pendingCheckMs: number;
  limit: <T>(call: () => Promise<T>) => Promise<T>;
}

/** Runs at most `n` calls at once; the others wait their turn in order. */
function limiter(n: number): <T>(call: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (call) => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await call();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

const failure = (kind: TaskFailure["kind"], code: string, message: string, recoverable: boolean): TaskResult => ({ kind: "failure", error: { kind, code, message, recoverable } });

async function runPod(ctx: TaskExecutionContext, d: Deps): Promise<TaskResult> {
  if (ctx.task.target.case === "container" && ctx.task.target.value.dataConfig?.enabled) {
    return failure("USER", "Unsupported", "raw container tasks (data_config) need Flyte's copilot sidecar, which the pod plugin does not run; route them to the local plugin", false);
  }
  const exec = ctx.executionId;
  const namespace = namespaceFor(d.config.namespace, exec.project, exec.domain);
  const execKey = `${exec.project}/${exec.domain}/${exec.name}/`;
  const nodePath = ctx.actionKey.startsWith(execKey) ? ctx.actionKey.slice(execKey.length) : ctx.actionKey;
  const inputsUri = await ctx.inputsUri();
  const attempt: PodAttempt = {
    task: ctx.task,
    executionId: { project: exec.project, domain: exec.domain, name: exec.name },
    nodePath,
    actionKey: ctx.actionKey,
    attempt: ctx.attempt,
    interruptible: ctx.interruptible,
    environment: ctx.environment,
    templateParameters: {
      inputPath: inputsUri,
      inputPrefix: inputsUri.slice(0, inputsUri.lastIndexOf("/")),
      outputPrefix: ctx.outputPrefix,
      rawOutputDataPrefix: ctx.rawOutputPrefix,
      checkpointOutputPrefix: ctx.checkpointPrefix,
      prevCheckpointPrefix: ctx.prevCheckpointPrefix,
      perRetryUniqueKey: podName(exec.name, nodePath, ctx.attempt),
      namespace,
      inputs: ctx.inputs,
    },
  };
  const pod = buildPod(attempt, d.config, namespace);
  const name = pod.metadata!.name!;
  const primary = primaryContainerName(ctx.task, name);
  if (ctx.signal.aborted) return failure("SYSTEM", "Aborted", String(ctx.signal.reason ?? "aborted"), false);

  await d.informers.ensure(namespace);
  let current: V1Pod;
  try {
    current = await d.limit(() => d.api.createNamespacedPod({ namespace, body: pod }));
  } catch (e) {
    if (!isStatus(e, 409)) return apiFailure(e, `creating pod ${namespace}/${name}`);
    // The pod exists: this attempt was started before (by this engine before a restart, or another replica).
    current = d.informers.get(namespace, name) ?? (await d.limit(() => d.api.readNamespacedPod({ name, namespace })));
    const owner = current.metadata?.annotations?.[ACTION_KEY_ANNOTATION];
    if (owner !== `${ctx.actionKey}#${ctx.attempt}`) {
      return failure("SYSTEM", "PodNameTaken", `pod ${namespace}/${name} exists but belongs to ${owner ?? "something else"}, not ${ctx.actionKey}#${ctx.attempt}`, false);
    }
  }

  const outcome = await follow(ctx, d, namespace, name, primary, current);
  let result: TaskResult;
  switch (outcome.kind) {
    case "aborted":
      await deletePod(d, namespace, name);
      return failure("SYSTEM", "Aborted", String(ctx.signal.reason ?? "aborted"), false);
    case "deleted":
      return failure("SYSTEM", "PodDeleted", `pod ${namespace}/${name} was deleted before it finished`, true);
    case "succeeded":
      result = await successResult(ctx);
      break;
    case "failed":
      result = { kind: "failure", error: (await errorDocument(ctx)) ?? outcome.failure };
      break;
  }
  await copyLog(ctx, d, namespace, name, primary);
  if (d.config.deletePods === "always" || (d.config.deletePods === "on-success" && result.kind !== "failure")) await deletePod(d, namespace, name);
  return result;
}

type Outcome = { kind: "succeeded" } | { kind: "failed"; failure: TaskFailure } | { kind: "deleted" } | { kind: "aborted" };

/** Waits on the informer's events (and, while pending, a timer for the grace periods) until the pod ends. */
function follow(ctx: TaskExecutionContext, d: Deps, namespace: string, name: string, primary: string, initial: V1Pod): Promise<Outcome> {
  const statusOptions = {
    imagePullBackoffGracePeriodMs: d.config.imagePullBackoffGracePeriodMs,
    createContainerErrorGracePeriodMs: d.config.createContainerErrorGracePeriodMs,
    podPendingTimeoutMs: d.config.podPendingTimeoutMs,
    primaryContainerName: primary,
  };
  return new Promise<Outcome>((resolve) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (o: Outcome) => {
      if (done) return;
      done = true;
      unsubscribe();
      if (timer) clearInterval(timer);
      ctx.signal.removeEventListener("abort", onAbort);
      resolve(o);
    };
    const check = (pod: V1Pod) => {
      // The cache can hold an older version than the one the create call returned.
      if (Number(pod.metadata?.resourceVersion ?? 0) < Number(latest.metadata?.resourceVersion ?? 0)) return;
      latest = pod;
      const phase: PodPhase = podPhase(pod, Date.now(), statusOptions);
      if (phase.phase === "succeeded") finish({ kind: "succeeded" });
      else if (phase.phase === "failed") finish({ kind: "failed", failure: phase.failure });
      else if ((phase.phase === "queued" || phase.phase === "initializing") && !timer) {
        timer = setInterval(() => check(d.informers.get(namespace, name) ?? latest), d.pendingCheckMs);
        timer.unref();
      } else if (phase.phase === "running" && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    };
    const onAbort = () => finish({ kind: "aborted" });
    let latest = initial;
    const unsubscribe = d.informers.subscribe(namespace, name, (e) => {
      if (e.type === "delete") {
        if (e.pod.metadata?.uid === latest.metadata?.uid) finish({ kind: "deleted" });
      } else check(e.pod);
    });
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    if (ctx.signal.aborted) return onAbort();
    check(d.informers.get(namespace, name) ?? initial);
  });
}

/** The primary container's log, for `aloft logs` and the console (a failed attempt's log says why). */
async function copyLog(ctx: TaskExecutionContext, d: Deps, namespace: string, name: string, container: string): Promise<void> {
  try {
    const text = await d.limit(() => d.api.readNamespacedPodLog({ name, namespace, container, limitBytes: 1_000_000 }));
    if (text) ctx.log.write("stdout", text);
  } catch {
    // A log is a convenience: a pod already gone or a node that keeps none must not fail the attempt.
  }
}

async function deletePod(d: Deps, namespace: string, name: string): Promise<void> {
  try {
    await d.limit(() => d.api.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 }));
  } catch (e) {
    if (!isStatus(e, 404)) throw e;
  }
}

function isStatus(e: unknown, code: number): boolean {
  return e instanceof ApiException && e.code === code;
}

/** An API error as the attempt's failure: refusals of the pod are the task's, the rest the system's (retried). */
function apiFailure(e: unknown, what: string): TaskResult {
  if (e instanceof ApiException) {
    const body = typeof e.body === "string" ? safeJson(e.body) : e.body;
    const message = `${what}: ${(body as { message?: string } | undefined)?.message ?? e.message}`;
    if (e.code === 422 || e.code === 400) return failure("USER", "PodInvalid", message, false);
    if (e.code === 403 && /exceeded quota/.test(message)) return failure("SYSTEM", "QuotaExceeded", message, true);
    return failure("SYSTEM", `KubernetesApi${e.code}`, message, true);
  }
  return failure("SYSTEM", "KubernetesApiUnreachable", `${what}: ${(e as Error).message}`, true);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
