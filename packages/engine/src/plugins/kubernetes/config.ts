// Configuration of the Kubernetes pod plugin: which tasks go to pods, and the platform's defaults that
// flytepropeller keeps in its k8s plugin configuration (default resources, GPU labels, interruptible
// placement, pod templates, log links, grace periods). Parsed once, with errors naming the field.
import type { V1NodeSelectorRequirement, V1PodTemplateSpec, V1Toleration } from "@kubernetes/client-node";
import { InvalidArgumentError } from "../../errors.ts";

export interface LogLinkTemplate {
  displayName: string;
  /** URIs with Flyte's log template variables ({{ .podName }}, {{ .namespace }}, …). */
  templateUris: string[];
  /** "UNKNOWN" | "CSV" | "JSON" as core.TaskLog's message format. */
  messageFormat?: string;
}

export interface KubernetesConfig {
  /** Path of a kubeconfig file; unset: KUBECONFIG, ~/.kube/config or the in-cluster service account. */
  kubeconfig: string | undefined;
  /** Namespace of task pods; `{{project}}` and `{{domain}}` are replaced (Flyte's `{{ project }}-{{ domain }}` layout). */
  namespace: string;
  /** Which tasks run as pods: any listed task type, project or task name (an empty route list sends every container task). */
  route: { taskTypes: string[]; projects: string[]; tasks: string[] };
  /** Platform default requests (`cpu`, `memory`, …) used when a task sets neither request nor limit. */
  defaultRequests: Record<string, string>;
  /** Platform limits: no request or limit is ever set above them. */
  maxLimits: Record<string, string>;
  gpuResourceName: string;
  gpuDeviceNodeLabel: string;
  gpuPartitionSizeNodeLabel: string;
  serviceAccount: string;
  defaultEnv: Record<string, string>;
  defaultLabels: Record<string, string>;
  defaultAnnotations: Record<string, string>;
  defaultNodeSelector: Record<string, string>;
  defaultTolerations: V1Toleration[];
  /** The base of every pod (Flyte's default-pod-template-name), and named templates a task may ask for. */
  defaultPodTemplate: V1PodTemplateSpec | undefined;
  podTemplates: Record<string, V1PodTemplateSpec>;
  interruptible: { tolerations: V1Toleration[]; nodeSelector: Record<string, string>; nodeSelectorRequirement: V1NodeSelectorRequirement | undefined };
  nonInterruptibleNodeSelectorRequirement: V1NodeSelectorRequirement | undefined;
  secrets: { envPrefix: string; mountDir: string };
  logLinks: LogLinkTemplate[];
  /** Time a pod may stay unschedulable before the attempt fails (0: wait forever, as Flyte's default). */
  podPendingTimeoutMs: number;
  imagePullBackoffGracePeriodMs: number;
  createContainerErrorGracePeriodMs: number;
  /** What happens to a pod once its attempt is over. */
  deletePods: "always" | "on-success" | "never";
  /** Period of the informer's full relist (Flyte's resync period). */
  resyncMs: number;
}

export const defaultKubernetesConfig = (): KubernetesConfig => ({
  kubeconfig: undefined,
  namespace: "{{project}}-{{domain}}",
  route: { taskTypes: [], projects: [], tasks: [] },
  defaultRequests: { cpu: "1000m", memory: "1024Mi" },
  maxLimits: {},
  gpuResourceName: "nvidia.com/gpu",
  gpuDeviceNodeLabel: "k8s.amazonaws.com/accelerator",
  gpuPartitionSizeNodeLabel: "k8s.amazonaws.com/gpu-partition-size",
  serviceAccount: "default",
  defaultEnv: {},
  defaultLabels: {},
  defaultAnnotations: {},
  defaultNodeSelector: {},
  defaultTolerations: [],
  defaultPodTemplate: undefined,
  podTemplates: {},
  interruptible: { tolerations: [], nodeSelector: {}, nodeSelectorRequirement: undefined },
  nonInterruptibleNodeSelectorRequirement: undefined,
  secrets: { envPrefix: "_FSEC_", mountDir: "/etc/flyte/secrets" },
  logLinks: [],
  podPendingTimeoutMs: 0,
  imagePullBackoffGracePeriodMs: 3 * 60_000,
  createContainerErrorGracePeriodMs: 3 * 60_000,
  deletePods: "always",
  resyncMs: 30_000,
});

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads the `kubernetes` section of a configuration file; `where` names it in errors (e.g. `aloft.json: kubernetes`). */
export function parseKubernetesConfig(value: unknown, where = "kubernetes"): KubernetesConfig {
  if (!isObject(value)) throw new InvalidArgumentError(where, "expected an object");
  const c = defaultKubernetesConfig();
  const known = new Set(Object.keys(c));
  for (const [key, v] of Object.entries(value)) {
    const field = `${where}.${key}`;
    if (!known.has(key)) throw new InvalidArgumentError(field, `unknown setting (known: ${[...known].join(", ")})`);
    switch (key) {
      case "kubeconfig":
      case "namespace":
      case "gpuResourceName":
      case "gpuDeviceNodeLabel":
      case "gpuPartitionSizeNodeLabel":
      case "serviceAccount":
        (c as unknown as Json)[key] = str(v, field);
        break;
      case "defaultRequests":
      case "maxLimits":
      case "defaultEnv":
      case "defaultLabels":
      case "defaultAnnotations":
      case "defaultNodeSelector":
        (c as unknown as Json)[key] = strMap(v, field);
        break;
      case "podPendingTimeoutMs":
      case "imagePullBackoffGracePeriodMs":
      case "createContainerErrorGracePeriodMs":
      case "resyncMs":
        if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new InvalidArgumentError(field, "expected a non-negative integer of milliseconds");
        (c as unknown as Json)[key] = v;
        break;
      case "deletePods":
        if (v !== "always" && v !== "on-success" && v !== "never") throw new InvalidArgumentError(field, 'expected "always", "on-success" or "never"');
        c.deletePods = v;
        break;
      case "route": {
        if (!isObject(v)) throw new InvalidArgumentError(field, "expected { taskTypes, projects, tasks }");
        for (const [k, list] of Object.entries(v)) {
          if (k !== "taskTypes" && k !== "projects" && k !== "tasks") throw new InvalidArgumentError(`${field}.${k}`, "unknown setting (known: taskTypes, projects, tasks)");
          c.route[k] = strList(list, `${field}.${k}`);
        }
        break;
      }
      case "defaultTolerations":
        c.defaultTolerations = objList(v, field) as V1Toleration[];
        break;
      case "defaultPodTemplate":
        c.defaultPodTemplate = podTemplate(v, field);
        break;
      case "podTemplates": {
        if (!isObject(v)) throw new InvalidArgumentError(field, "expected an object of named pod templates");
        c.podTemplates = Object.fromEntries(Object.entries(v).map(([name, t]) => [name, podTemplate(t, `${field}.${name}`)]));
        break;
      }
      case "interruptible": {
        if (!isObject(v)) throw new InvalidArgumentError(field, "expected { tolerations, nodeSelector, nodeSelectorRequirement }");
        for (const [k, x] of Object.entries(v)) {
          if (k === "tolerations") c.interruptible.tolerations = objList(x, `${field}.tolerations`) as V1Toleration[];
          else if (k === "nodeSelector") c.interruptible.nodeSelector = strMap(x, `${field}.nodeSelector`);
          else if (k === "nodeSelectorRequirement") c.interruptible.nodeSelectorRequirement = requirement(x, `${field}.nodeSelectorRequirement`);
          else throw new InvalidArgumentError(`${field}.${k}`, "unknown setting (known: tolerations, nodeSelector, nodeSelectorRequirement)");
        }
        break;
      }
      case "nonInterruptibleNodeSelectorRequirement":
        c.nonInterruptibleNodeSelectorRequirement = requirement(v, field);
        break;
      case "secrets": {
        if (!isObject(v)) throw new InvalidArgumentError(field, "expected { envPrefix, mountDir }");
        for (const [k, x] of Object.entries(v)) {
          if (k !== "envPrefix" && k !== "mountDir") throw new InvalidArgumentError(`${field}.${k}`, "unknown setting (known: envPrefix, mountDir)");
          c.secrets[k] = str(x, `${field}.${k}`);
        }
        break;
      }
      case "logLinks":
        c.logLinks = objList(v, field).map((t, i) => logLink(t, `${field}[${i}]`));
        break;
    }
  }
  return c;
}

function str(v: unknown, field: string): string {
  if (typeof v !== "string" || v === "") throw new InvalidArgumentError(field, "expected a non-empty string");
  return v;
}
function strList(v: unknown, field: string): string[] {
  if (!Array.isArray(v)) throw new InvalidArgumentError(field, "expected a list of strings");
  return v.map((x, i) => str(x, `${field}[${i}]`));
}
function strMap(v: unknown, field: string): Record<string, string> {
  if (!isObject(v)) throw new InvalidArgumentError(field, "expected an object of strings");
  for (const [k, x] of Object.entries(v)) if (typeof x !== "string") throw new InvalidArgumentError(`${field}.${k}`, "expected a string");
  return v as Record<string, string>;
}
function objList(v: unknown, field: string): Json[] {
  if (!Array.isArray(v) || v.some((x) => !isObject(x))) throw new InvalidArgumentError(field, "expected a list of objects");
  return v as Json[];
}
function podTemplate(v: unknown, field: string): V1PodTemplateSpec {
  if (!isObject(v)) throw new InvalidArgumentError(field, "expected a pod template ({ metadata, spec })");
  if (v.spec !== undefined && (!isObject(v.spec) || (v.spec.containers !== undefined && !Array.isArray(v.spec.containers)))) {
    throw new InvalidArgumentError(`${field}.spec`, "expected a pod spec with a list of containers");
  }
  return v as V1PodTemplateSpec;
}
function requirement(v: unknown, field: string): V1NodeSelectorRequirement {
  if (!isObject(v) || typeof v.key !== "string" || typeof v.operator !== "string") throw new InvalidArgumentError(field, "expected { key, operator, values }");
  return v as unknown as V1NodeSelectorRequirement;
}
function logLink(v: Json, field: string): LogLinkTemplate {
  const displayName = str(v.displayName, `${field}.displayName`);
  const templateUris = strList(v.templateUris, `${field}.templateUris`);
  const link: LogLinkTemplate = { displayName, templateUris };
  if (v.messageFormat !== undefined) {
    if (v.messageFormat !== "UNKNOWN" && v.messageFormat !== "CSV" && v.messageFormat !== "JSON") throw new InvalidArgumentError(`${field}.messageFormat`, 'expected "UNKNOWN", "CSV" or "JSON"');
    link.messageFormat = v.messageFormat;
  }
  return link;
}
