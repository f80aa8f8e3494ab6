import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { core } from "@aloft/idl";
import { defaultKubernetesConfig, type KubernetesConfig } from "./config.ts";
import { buildPod, type PodAttempt } from "./pod-spec.ts";

const R = core.Resources_ResourceName;

function task(overrides: Partial<{ resources: core.Resources; secrets: core.Secret[]; ext: core.ExtendedResources; podTemplateName: string; env: Record<string, string> }> = {}) {
  return create(core.TaskTemplateSchema, {
    id: { resourceType: core.ResourceType.TASK, project: "flytesnacks", domain: "development", name: "wf.train", version: "v1" },
    type: "python-task",
    metadata: { podTemplateName: overrides.podTemplateName ?? "" },
    target: {
      case: "container",
      value: {
        image: "ghcr.io/acme/train:1",
        command: [],
        args: ["pyflyte-execute", "--inputs", "{{.input}}", "--output-prefix", "{{.outputPrefix}}", "--n", "{{.inputs.n}}", "--prev", "{{.prevCheckpointPrefix}}"],
        env: Object.entries(overrides.env ?? {}).map(([key, value]) => ({ key, value })),
        ...(overrides.resources ? { resources: overrides.resources } : {}),
      },
    },
    ...(overrides.secrets ? { securityContext: { secrets: overrides.secrets } } : {}),
    ...(overrides.ext ? { extendedResources: overrides.ext } : {}),
  });
}

function attempt(t: core.TaskTemplate, more: Partial<PodAttempt> = {}): PodAttempt {
  return {
    task: t,
    executionId: { project: "flytesnacks", domain: "development", name: "abc123" },
    nodePath: "n0",
    actionKey: "flytesnacks/development/abc123/n0",
    attempt: 1,
    interruptible: false,
    environment: { FLYTE_INTERNAL_EXECUTION_ID: "abc123", FLYTE_ATTEMPT_NUMBER: "1" },
    templateParameters: {
      inputPath: "s3://b/m/n0/inputs.pb",
      inputPrefix: "s3://b/m/n0",
      outputPrefix: "s3://b/m/n0/1",
      rawOutputDataPrefix: "s3://b/raw/n0/1",
      checkpointOutputPrefix: "s3://b/m/n0/1/_flytecheckpoints",
      prevCheckpointPrefix: "",
      perRetryUniqueKey: "abc123-n0-1",
      inputs: create(core.LiteralMapSchema, { literals: { n: { value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "integer", value: 7n } } } } } } } }),
    },
    ...more,
  };
}

const config = (c: Partial<KubernetesConfig> = {}): KubernetesConfig => ({ ...defaultKubernetesConfig(), ...c });

describe("buildPod", () => {
  it("builds Flyte's pod for a container task: name, image, rendered args, env, restartPolicy, labels", () => {
    const pod = buildPod(attempt(task({ env: { MODE: "fast" } })), config({ defaultEnv: { MODE: "slow", REGION: "eu" } }), "flytesnacks-development");
    expect(pod.metadata?.name).toBe("abc123-n0-1");
    expect(pod.metadata?.namespace).toBe("flytesnacks-development");
    const c = pod.spec!.containers[0]!;
    expect(c.name).toBe("abc123-n0-1");
    expect(c.image).toBe("ghcr.io/acme/train:1");
    expect(c.args).toEqual(["pyflyte-execute", "--inputs", "s3://b/m/n0/inputs.pb", "--output-prefix", "s3://b/m/n0/1", "--n", "7", "--prev", '""']);
    expect(c.command).toBeUndefined();
    const env = Object.fromEntries(c.env!.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ MODE: "fast", REGION: "eu", FLYTE_INTERNAL_EXECUTION_ID: "abc123", FLYTE_ATTEMPT_NUMBER: "1", FLYTE_INTERNAL_PROJECT: "flytesnacks", FLYTE_INTERNAL_NAME: "wf.train", FLYTE_INTERNAL_VERSION: "v1" });
    expect(c.env!.filter((e) => e.name === "MODE")).toHaveLength(1);
    expect(pod.spec!.restartPolicy).toBe("Never");
    expect(pod.spec!.serviceAccountName).toBe("default");
    expect(pod.metadata?.labels).toMatchObject({ "execution-id": "abc123", "node-id": "n0", "task-name": "wf.train", project: "flytesnacks", domain: "development", attempt: "1" });
    expect(pod.metadata?.annotations?.["aloft.dev/action-key"]).toBe("flytesnacks/development/abc123/n0#1");
    expect(c.resources).toEqual({ requests: { cpu: "1000m", memory: "1024Mi" }, limits: { cpu: "1000m", memory: "1024Mi" } });
  });

  it("is the same pod for the same attempt", () => {
    expect(buildPod(attempt(task()), config(), "ns")).toEqual(buildPod(attempt(task()), config(), "ns"));
  });

  it("places a GPU task on its accelerator with a toleration, and unpartitioned GPUs off partitioned nodes", () => {
    const t = task({
      resources: create(core.ResourcesSchema, { limits: [{ name: R.GPU, value: "1" }] }),
      ext: create(core.ExtendedResourcesSchema, { gpuAccelerator: { device: "nvidia-tesla-a100", partitionSizeValue: { case: "unpartitioned", value: true } } }),
    });
    const pod = buildPod(attempt(t), config(), "ns");
    expect(pod.spec!.containers[0]!.resources?.limits?.["nvidia.com/gpu"]).toBe("1");
    expect(pod.spec!.containers[0]!.resources?.requests?.["nvidia.com/gpu"]).toBe("1");
    expect(pod.spec!.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      {
        matchExpressions: [
          { key: "k8s.amazonaws.com/accelerator", operator: "In", values: ["nvidia-tesla-a100"] },
          { key: "k8s.amazonaws.com/gpu-partition-size", operator: "DoesNotExist" },
        ],
      },
    ]);
    expect(pod.spec!.tolerations).toEqual([{ key: "k8s.amazonaws.com/accelerator", operator: "Equal", value: "nvidia-tesla-a100", effect: "NoSchedule" }]);
  });

  it("selects a GPU partition by label and toleration", () => {
    const t = task({
      resources: create(core.ResourcesSchema, { requests: [{ name: R.GPU, value: "1" }] }),
      ext: create(core.ExtendedResourcesSchema, { gpuAccelerator: { device: "nvidia-tesla-a100", partitionSizeValue: { case: "partitionSize", value: "1g.5gb" } } }),
    });
    const pod = buildPod(attempt(t), config(), "ns");
    expect(pod.spec!.tolerations).toContainEqual({ key: "k8s.amazonaws.com/gpu-partition-size", operator: "Equal", value: "1g.5gb", effect: "NoSchedule" });
  });

  it("ignores an accelerator when the task asks for no GPU", () => {
    const t = task({ ext: create(core.ExtendedResourcesSchema, { gpuAccelerator: { device: "nvidia-tesla-t4" } }) });
    expect(buildPod(attempt(t), config(), "ns").spec!.affinity).toBeUndefined();
  });

  it("mounts shared memory as a memory emptyDir on the primary container", () => {
    const t = task({ ext: create(core.ExtendedResourcesSchema, { sharedMemory: { sizeLimit: "2Gi" } }) });
    const pod = buildPod(attempt(t), config(), "ns");
    expect(pod.spec!.volumes).toEqual([{ name: "flyte-shared-memory", emptyDir: { medium: "Memory", sizeLimit: "2Gi" } }]);
    expect(pod.spec!.containers[0]!.volumeMounts).toEqual([{ name: "flyte-shared-memory", mountPath: "/dev/shm" }]);
  });

  it("puts interruptible attempts on spot nodes and others off them", () => {
    const c = config({
      interruptible: {
        tolerations: [{ key: "spot", operator: "Exists", effect: "NoSchedule" }],
        nodeSelector: { "node-type": "spot" },
        nodeSelectorRequirement: { key: "lifecycle", operator: "In", values: ["spot"] },
      },
      nonInterruptibleNodeSelectorRequirement: { key: "lifecycle", operator: "NotIn", values: ["spot"] },
    });
    const spot = buildPod(attempt(task(), { interruptible: true }), c, "ns");
    expect(spot.spec!.tolerations).toEqual([{ key: "spot", operator: "Exists", effect: "NoSchedule" }]);
    expect(spot.spec!.nodeSelector).toEqual({ "node-type": "spot" });
    expect(spot.metadata!.labels!.interruptible).toBe("true");
    expect(spot.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0]!.matchExpressions).toEqual([{ key: "lifecycle", operator: "In", values: ["spot"] }]);
    const onDemand = buildPod(attempt(task()), c, "ns");
    expect(onDemand.spec!.tolerations).toBeUndefined();
    expect(onDemand.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0]!.matchExpressions).toEqual([{ key: "lifecycle", operator: "NotIn", values: ["spot"] }]);
  });

  it("merges the default pod template, and a task's named template instead of it", () => {
    const c = config({
      defaultPodTemplate: { metadata: { annotations: { team: "a" } }, spec: { containers: [{ name: "default", imagePullPolicy: "Always" }] } },
      podTemplates: { big: { spec: { containers: [{ name: "primary", env: [{ name: "BIG", value: "1" }] }], priorityClassName: "high" } } },
    });
    const def = buildPod(attempt(task()), c, "ns");
    expect(def.spec!.containers[0]!.imagePullPolicy).toBe("Always");
    expect(def.metadata!.annotations!.team).toBe("a");
    const big = buildPod(attempt(task({ podTemplateName: "big" })), c, "ns");
    expect(big.spec!.priorityClassName).toBe("high");
    expect(big.spec!.containers[0]!.env![0]).toEqual({ name: "BIG", value: "1" });
    expect(big.spec!.containers[0]!.imagePullPolicy).toBeUndefined();
    expect(() => buildPod(attempt(task({ podTemplateName: "nope" })), c, "ns")).toThrow(/metadata\.pod_template_name.*no pod template named "nope"/);
  });

  it("mounts secrets from Kubernetes Secrets", () => {
    const t = task({ secrets: [create(core.SecretSchema, { group: "aws", key: "key-id", mountRequirement: core.Secret_MountType.ENV_VAR })] });
    const env = buildPod(attempt(t), config(), "ns").spec!.containers[0]!.env!;
    expect(env).toContainEqual({ name: "_FSEC_AWS_KEY-ID".replace("-", "_"), valueFrom: { secretKeyRef: { name: "aws", key: "key-id" } } });
  });

  it("runs a k8s-pod task's pod with its primary container rendered and resources clamped on the others", () => {
    const t = create(core.TaskTemplateSchema, {
      id: { name: "pod-task" },
      target: {
        case: "k8sPod",
        value: {
          primaryContainerName: "main",
          podSpec: { containers: [{ name: "main", image: "x:1", args: ["{{.outputPrefix}}"] }, { name: "side", image: "y:1", resources: { limits: { cpu: "64" } } }] } as never,
        },
      },
    });
    const pod = buildPod(attempt(t), config({ maxLimits: { cpu: "8" } }), "ns");
    expect(pod.spec!.containers[0]!.args).toEqual(["s3://b/m/n0/1"]);
    expect(pod.spec!.containers[1]!.resources).toEqual({ limits: { cpu: "8" } });
    expect(pod.spec!.containers[1]!.env).toBeUndefined();
    expect(pod.metadata!.annotations!.primary_container_name).toBe("main");
  });

  it("rejects a task without an image, naming the field", () => {
    const t = task();
    if (t.target.case === "container") t.target.value.image = "";
    expect(() => buildPod(attempt(t), config(), "ns")).toThrow(/container\.image/);
  });
});
