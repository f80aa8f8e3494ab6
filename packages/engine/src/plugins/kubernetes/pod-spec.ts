// A task attempt as a Pod, built as Flyte's pod plugin builds it (BuildPodWithSpec): the task's container (or
// a k8s-pod task's pod spec) with its command and args rendered, the FLYTE_INTERNAL_* environment, resources
// merged with the platform's, GPU accelerator placement, shared memory, secrets, interruptible placement,
// then merged onto the default or the task's named pod template. Pure: the same attempt gives the same pod.
import type { V1Affinity, V1Container, V1EnvVar, V1NodeSelectorRequirement, V1ObjectMeta, V1Pod, V1PodSpec, V1Toleration } from "@kubernetes/client-node";
import type { core } from "@aloft/idl";
import { InvalidArgumentError } from "../../errors.ts";
import { renderArgs, type TemplateParameters } from "../template.ts";
import type { KubernetesConfig } from "./config.ts";
import { labelValue, podName } from "./names.ts";
import { mergeWithTemplate } from "./pod-template.ts";
import { applyResourceOverrides, taskResources } from "./resources.ts";
import { secretMounts } from "./secrets.ts";

export interface PodAttempt {
  task: core.TaskTemplate;
  executionId: { project: string; domain: string; name: string };
  /** The node's path under the execution (`n0`, `n1/dynamic/n0`, `n2/3`). */
  nodePath: string;
  /** The engine's durable action key, kept as an annotation. */
  actionKey: string;
  attempt: number;
  interruptible: boolean;
  /** FLYTE_INTERNAL_* and FLYTE_ATTEMPT_NUMBER, as the engine computes them for every plugin. */
  environment: Readonly<Record<string, string>>;
  /** Values of Flyte's command-line template variables. */
  templateParameters: TemplateParameters;
}

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "aloft";
export const ACTION_KEY_ANNOTATION = "aloft.dev/action-key";
export const PRIMARY_CONTAINER_ANNOTATION = "primary_container_name";
const SHARED_MEMORY_DEFAULTS = { mountPath: "/dev/shm", mountName: "flyte-shared-memory" };

/** The primary container's name: the pod's own name for container tasks (as Flyte names it), the declared one for pod tasks. */
export function primaryContainerName(task: core.TaskTemplate, pod: string): string {
  return task.target.case === "k8sPod" ? task.target.value.primaryContainerName : pod;
}

export function buildPod(a: PodAttempt, config: KubernetesConfig, namespace: string): V1Pod {
  const name = podName(a.executionId.name, a.nodePath, a.attempt);
  const { spec: taskSpec, primary } = taskPodSpec(a, name);
  const platform = { defaultRequests: config.defaultRequests, maxLimits: config.maxLimits, gpuResourceName: config.gpuResourceName };
  const secrets = secretMounts(a.task.securityContext?.secrets ?? [], config.secrets);
  const env = environment(a, config);

  taskSpec.containers = taskSpec.containers.map((c) => {
    const isPrimary = c.name === primary;
    const given = isPrimary && a.task.target.case === "container" ? taskResources(a.task.target.value.resources) : { requests: { ...c.resources?.requests }, limits: { ...c.resources?.limits } };
    const out: V1Container = { ...c, resources: applyResourceOverrides(given, platform, isPrimary) };
    if (isPrimary) {
      const command = render(c.command ?? [], a);
      const args = render(c.args ?? [], a);
      if (command) out.command = command;
      else delete out.command;
      if (args) out.args = args;
      else delete out.args;
      out.env = mergeEnv(mergeEnv(env.defaults, c.env ?? []), env.engine);
    }
    if (secrets.env.length > 0) out.env = mergeEnv(out.env ?? [], secrets.env);
    if (secrets.volumeMounts.length > 0) out.volumeMounts = [...(out.volumeMounts ?? []), ...secrets.volumeMounts];
    return out;
  });
  taskSpec.volumes = [...(taskSpec.volumes ?? []), ...secrets.volumes];

  taskSpec.restartPolicy = taskSpec.restartPolicy ?? "Never";
  taskSpec.serviceAccountName = a.task.securityContext?.runAs?.k8sServiceAccount || taskSpec.serviceAccountName || config.serviceAccount;
  taskSpec.nodeSelector = { ...config.defaultNodeSelector, ...taskSpec.nodeSelector };
  taskSpec.tolerations = [...config.defaultTolerations, ...(taskSpec.tolerations ?? [])];
  applyExtendedResources(taskSpec, a.task.extendedResources, primary, config);
  applyInterruptible(taskSpec, a.interruptible, config);
  if (taskSpec.tolerations.length === 0) delete taskSpec.tolerations;
  if (Object.keys(taskSpec.nodeSelector).length === 0) delete taskSpec.nodeSelector;
  if (taskSpec.volumes.length === 0) delete taskSpec.volumes;

  const templateName = a.task.metadata?.podTemplateName ?? "";
  const template = templateName === "" ? config.defaultPodTemplate : config.podTemplates[templateName];
  if (templateName !== "" && !template) throw new InvalidArgumentError("metadata.pod_template_name", `no pod template named ${JSON.stringify(templateName)} is configured (known: ${Object.keys(config.podTemplates).join(", ") || "none"})`);
  const merged = mergeWithTemplate(template, taskSpec, metadata(a, name, namespace, primary, config), primary);
  return { apiVersion: "v1", kind: "Pod", metadata: merged.metadata, spec: merged.spec };
}

function taskPodSpec(a: PodAttempt, name: string): { spec: V1PodSpec; primary: string } {
  const t = a.task.target;
  if (t.case === "container") {
    const c = t.value;
    if (c.image === "") throw new InvalidArgumentError("container.image", "a task run as a pod needs an image");
    const container: V1Container = {
      name,
      image: c.image,
      command: [...c.command],
      args: [...c.args],
      env: c.env.map((kv) => ({ name: kv.key, value: kv.value })),
      terminationMessagePolicy: "FallbackToLogsOnError",
    };
    if (c.ports.length > 0) container.ports = c.ports.map((p) => ({ containerPort: p.containerPort, ...(p.name ? { name: p.name } : {}) }));
    return { spec: { containers: [container] }, primary: name };
  }
  if (t.case === "k8sPod") {
    const spec = structuredClone((t.value.podSpec ?? {}) as unknown as V1PodSpec);
    const primary = t.value.primaryContainerName;
    if (!Array.isArray(spec.containers)) throw new InvalidArgumentError("k8s_pod.pod_spec.containers", "expected a list of containers");
    if (!spec.containers.some((c) => c.name === primary)) throw new InvalidArgumentError("k8s_pod.primary_container_name", `no container named ${JSON.stringify(primary)} in the pod spec`);
    return { spec, primary };
  }
  throw new InvalidArgumentError("task.target", `a ${t.case ?? "missing"} target cannot run as a pod`);
}

function render(args: string[], a: PodAttempt): string[] | undefined {
  return args.length === 0 ? undefined : renderArgs(args, a.templateParameters);
}

// Later lists win by name: the engine's FLYTE_INTERNAL_* over the task's env over the platform defaults,
// so a task cannot spoof its own identity and a platform default never hides what a task asked for.
function environment(a: PodAttempt, config: KubernetesConfig): { defaults: V1EnvVar[]; engine: V1EnvVar[] } {
  const id = a.task.id;
  return {
    defaults: Object.entries(config.defaultEnv).map(([name, value]) => ({ name, value })),
    engine: Object.entries({
      ...a.environment,
      FLYTE_INTERNAL_PROJECT: id?.project ?? "",
      FLYTE_INTERNAL_DOMAIN: id?.domain ?? "",
      FLYTE_INTERNAL_NAME: id?.name ?? "",
      FLYTE_INTERNAL_VERSION: id?.version ?? "",
    }).map(([name, value]) => ({ name, value })),
  };
}

/** `base` with `over` applied by name (the task's own env sits between: see `environment`). */
function mergeEnv(base: V1EnvVar[], over: V1EnvVar[]): V1EnvVar[] {
  const names = new Set(over.map((e) => e.name));
  return [...base.filter((e) => !names.has(e.name)), ...over];
}

function metadata(a: PodAttempt, name: string, namespace: string, primary: string, config: KubernetesConfig): V1ObjectMeta {
  const k8s = a.task.metadata?.metadata;
  const podMeta = a.task.target.case === "k8sPod" ? a.task.target.value.metadata : undefined;
  return {
    name,
    namespace,
    labels: {
      ...config.defaultLabels,
      ...podMeta?.labels,
      ...k8s?.labels,
      [MANAGED_BY_LABEL]: MANAGED_BY,
      "execution-id": labelValue(a.executionId.name),
      "node-id": labelValue(a.nodePath),
      "task-name": labelValue(a.task.id?.name ?? ""),
      project: labelValue(a.executionId.project),
      domain: labelValue(a.executionId.domain),
      attempt: String(a.attempt),
      ...(a.interruptible ? { interruptible: "true" } : {}),
    },
    annotations: {
      ...config.defaultAnnotations,
      ...podMeta?.annotations,
      ...k8s?.annotations,
      [ACTION_KEY_ANNOTATION]: `${a.actionKey}#${a.attempt}`,
      [PRIMARY_CONTAINER_ANNOTATION]: primary,
    },
  };
}

function applyExtendedResources(spec: V1PodSpec, ext: core.ExtendedResources | undefined, primary: string, config: KubernetesConfig): void {
  const gpu = ext?.gpuAccelerator;
  const usesGpu = spec.containers.some((c) => c.resources?.limits?.[config.gpuResourceName] !== undefined);
  if (gpu && gpu.device !== "" && usesGpu) {
    addRequirement(spec, { key: config.gpuDeviceNodeLabel, operator: "In", values: [gpu.device] });
    addToleration(spec, { key: config.gpuDeviceNodeLabel, operator: "Equal", value: gpu.device, effect: "NoSchedule" });
    const p = gpu.partitionSizeValue;
    if (p.case === "partitionSize" && p.value !== "") {
      addRequirement(spec, { key: config.gpuPartitionSizeNodeLabel, operator: "In", values: [p.value] });
      addToleration(spec, { key: config.gpuPartitionSizeNodeLabel, operator: "Equal", value: p.value, effect: "NoSchedule" });
    } else if (p.case === "unpartitioned" && p.value) {
      addRequirement(spec, { key: config.gpuPartitionSizeNodeLabel, operator: "DoesNotExist" });
    }
  }
  const shm = ext?.sharedMemory;
  if (shm) {
    const mountName = shm.mountName || SHARED_MEMORY_DEFAULTS.mountName;
    const mountPath = shm.mountPath || SHARED_MEMORY_DEFAULTS.mountPath;
    if (spec.volumes?.some((v) => v.name === mountName)) throw new InvalidArgumentError("extended_resources.shared_memory.mount_name", `a volume named ${mountName} already exists`);
    spec.volumes = [...(spec.volumes ?? []), { name: mountName, emptyDir: { medium: "Memory", ...(shm.sizeLimit ? { sizeLimit: shm.sizeLimit } : {}) } }];
    const c = spec.containers.find((x) => x.name === primary)!;
    c.volumeMounts = [...(c.volumeMounts ?? []), { name: mountName, mountPath }];
  }
}

function applyInterruptible(spec: V1PodSpec, interruptible: boolean, config: KubernetesConfig): void {
  if (interruptible) {
    for (const t of config.interruptible.tolerations) addToleration(spec, t);
    spec.nodeSelector = { ...spec.nodeSelector, ...config.interruptible.nodeSelector };
    if (config.interruptible.nodeSelectorRequirement) addRequirement(spec, config.interruptible.nodeSelectorRequirement);
  } else if (config.nonInterruptibleNodeSelectorRequirement) {
    addRequirement(spec, config.nonInterruptibleNodeSelectorRequirement);
  }
}

function addToleration(spec: V1PodSpec, t: V1Toleration): void {
  spec.tolerations = [...(spec.tolerations ?? []), t];
}

/** Adds a requirement to every required node selector term (a pod matches any term, so each must carry it). */
function addRequirement(spec: V1PodSpec, r: V1NodeSelectorRequirement): void {
  const affinity: V1Affinity = spec.affinity ?? {};
  const na = (affinity.nodeAffinity ??= {});
  const required = (na.requiredDuringSchedulingIgnoredDuringExecution ??= { nodeSelectorTerms: [] });
  if (required.nodeSelectorTerms.length === 0) required.nodeSelectorTerms.push({ matchExpressions: [] });
  for (const term of required.nodeSelectorTerms) term.matchExpressions = [...(term.matchExpressions ?? []), r];
  spec.affinity = affinity;
}
