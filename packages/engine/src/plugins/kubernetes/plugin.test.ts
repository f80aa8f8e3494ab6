// The pod plugin against the Kubernetes API simulator, whose kubelet runs each pod's command locally.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { create, toBinary } from "@bufbuild/protobuf";
import { KubeConfig } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { core, lit, types } from "@aloft/idl";
import { startKubeSimulator, type KubeSimulator, type PodOutcome } from "@aloft/kube-sim";
import { createBlobStore } from "@aloft/storage";
import { task } from "../../testing/closures.ts";
import type { TaskExecutionContext, TaskPlugin } from "../plugin.ts";
import { defaultKubernetesConfig, type KubernetesConfig } from "./config.ts";
import { kubernetesPodPlugin, routesToPod } from "./plugin.ts";

let sim: KubeSimulator;
let dir: string;
let requests: string[];
let plugins: TaskPlugin[];
const NS = "flytesnacks-development";

beforeEach(async () => {
  requests = [];
  plugins = [];
  dir = mkdtempSync(join(tmpdir(), "aloft-k8s-plugin-"));
  sim = await startKubeSimulator({ namespaces: [NS], onRequest: (m, u) => requests.push(`${m} ${u}`), kubelet: { outcome: () => ({ kind: "run" }), baseEnv: { PATH: process.env.PATH! } } });
});
afterEach(async () => {
  for (const p of plugins) await p.close?.();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function plugin(config: Partial<KubernetesConfig> = {}): TaskPlugin {
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig());
  const p = kubernetesPodPlugin({ config: { ...defaultKubernetesConfig(), ...config }, kubeConfig: kc, pendingCheckMs: 20 });
  plugins.push(p);
  return p;
}

/** A container task whose command copies a prepared outputs.pb to {{.outputPrefix}}, printing a line first. */
function copyingTask(retries = 0): { t: core.TaskTemplate; outputs: Uint8Array } {
  const t = task("wf.double", { x: types.integer() }, { y: types.integer() }, { retries });
  const outputs = toBinary(core.LiteralMapSchema, create(core.LiteralMapSchema, { literals: { y: lit.integer(42) } }));
  const prepared = join(dir, "outputs.pb");
  writeFileSync(prepared, outputs);
  const script = `echo "doubling $FLYTE_INTERNAL_TASK_NAME"; out="\${1#file://}"; mkdir -p "$out" && cp ${prepared} "$out/outputs.pb"`;
  t.target = { case: "container", value: create(core.ContainerSchema, { image: "alpine:3.20", command: ["sh", "-c", script, "--"], args: ["{{.outputPrefix}}"] }) };
  return { t, outputs };
}

function context(t: core.TaskTemplate, attempt = 0, controller = new AbortController()): TaskExecutionContext & { logs: string[] } {
  const base = pathToFileURL(join(dir, "blobs")).toString();
  const blobs = createBlobStore(base);
  const inputs = create(core.LiteralMapSchema, { literals: { x: lit.integer(21) } });
  const logs: string[] = [];
  return {
    task: t,
    executionId: create(core.WorkflowExecutionIdentifierSchema, { project: "flytesnacks", domain: "development", name: "e1" }),
    actionKey: "flytesnacks/development/e1/n0",
    nodeId: "n0",
    attempt,
    inputs,
    inputsPath: `${base}/e1/n0/inputs.pb`,
    inputsUri: async () => {
      await blobs.put(`${base}/e1/n0/inputs.pb`, toBinary(core.LiteralMapSchema, inputs));
      return `${base}/e1/n0/inputs.pb`;
    },
    outputPrefix: `${base}/e1/n0/${attempt}`,
    rawOutputPrefix: `${base}/raw/e1/n0/${attempt}`,
    checkpointPrefix: `${base}/e1/n0/${attempt}/_flytecheckpoints`,
    prevCheckpointPrefix: "",
    interruptible: false,
    signal: controller.signal,
    log: { write: (_s, text) => void logs.push(text) },
    logs,
    blobStore: blobs,
    environment: { FLYTE_INTERNAL_EXECUTION_ID: "e1", FLYTE_INTERNAL_TASK_NAME: t.id?.name ?? "", FLYTE_ATTEMPT_NUMBER: String(attempt) },
  };
}

const podPosts = () => requests.filter((r) => r.startsWith(`POST /api/v1/namespaces/${NS}/pods`)).length;
const pods = () => sim.store("Pod").all();

async function until<T>(f: () => T | undefined, what: string): Promise<T> {
  const end = Date.now() + 5000;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("the Kubernetes pod plugin", () => {
  it("runs a container task as a pod, reads its outputs from the blob store, keeps its log and deletes the pod", async () => {
    const { t, outputs } = copyingTask();
    const ctx = context(t);
    const result = await plugin().execute(ctx);
    expect(result.kind).toBe("success");
    if (result.kind !== "success") return;
    expect(result.encoded).toEqual(outputs);
    expect(ctx.logs.join("")).toBe("doubling wf.double\n");
    expect(podPosts()).toBe(1);
    expect(pods()).toEqual([]);
    // Followed through a watch on the namespace's pods, never by reading the pod again and again.
    expect(requests.filter((r) => r.startsWith(`GET /api/v1/namespaces/${NS}/pods/e1-n0-0`) && !r.includes("/log"))).toEqual([]);
    expect(requests.some((r) => r.includes(`/namespaces/${NS}/pods?`) && r.includes("watch=true") && r.includes("labelSelector=app.kubernetes.io%2Fmanaged-by%3Daloft"))).toBe(true);
  });

  it("keeps finished pods when told to, labelled with the attempt", async () => {
    const { t } = copyingTask();
    await plugin({ deletePods: "never" }).execute(context(t));
    const [pod] = pods();
    expect(pod!.metadata.name).toBe("e1-n0-0");
    expect(pod!.metadata.labels).toMatchObject({ "execution-id": "e1", "node-id": "n0", attempt: "0", "app.kubernetes.io/managed-by": "aloft" });
    expect((pod!.status as { phase: string }).phase).toBe("Succeeded");
  });

  it.each<[string, PodOutcome, { kind: string; code: string; recoverable: boolean }]>([
    ["a non-zero exit", { kind: "exit", code: 3 }, { kind: "USER", code: "Error", recoverable: true }],
    ["OOMKilled", { kind: "oomKilled" }, { kind: "USER", code: "OOMKilled", recoverable: true }],
    ["an eviction", { kind: "evicted" }, { kind: "SYSTEM", code: "Evicted", recoverable: true }],
    ["a node shutdown", { kind: "nodeShutdown" }, { kind: "SYSTEM", code: "Interrupted", recoverable: true }],
    ["an invalid image name", { kind: "waiting", reason: "InvalidImageName" }, { kind: "USER", code: "ContainersNotReady|InvalidImageName", recoverable: false }],
    ["a missing secret", { kind: "waiting", reason: "CreateContainerConfigError" }, { kind: "USER", code: "ContainersNotReady|CreateContainerConfigError", recoverable: false }],
  ])("maps %s to the attempt's failure", async (_what, outcome, expected) => {
    sim.kubelet.outcome = () => outcome;
    const result = await plugin().execute(context(copyingTask().t));
    expect(result.kind).toBe("failure");
    if (result.kind !== "failure") return;
    expect({ kind: result.error.kind, code: result.error.code, recoverable: result.error.recoverable }).toEqual(expected);
  });

  it("fails ImagePullBackOff only after its grace period", async () => {
    sim.kubelet.outcome = () => ({ kind: "waiting", reason: "ImagePullBackOff" });
    const started = Date.now();
    const result = await plugin({ imagePullBackoffGracePeriodMs: 1200 }).execute(context(copyingTask().t));
    // Condition times have whole seconds (as the API server's), so the grace can end up to 1 s early.
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(result).toMatchObject({ kind: "failure", error: { kind: "USER", code: "ContainersNotReady|ImagePullBackOff", recoverable: true } });
  });

  it("deletes the pod when the attempt is aborted", async () => {
    sim.kubelet.outcome = () => ({ kind: "hang" });
    const controller = new AbortController();
    const running = plugin().execute(context(copyingTask().t, 0, controller));
    await until(() => ((pods()[0]?.status as { phase?: string } | undefined)?.phase === "Running" ? true : undefined), "the pod to run");
    controller.abort("terminated by the user");
    expect(await running).toMatchObject({ kind: "failure", error: { code: "Aborted", message: "terminated by the user" } });
    expect(pods()).toEqual([]);
  });

  it("reports a pod deleted by someone else as a system error", async () => {
    sim.kubelet.outcome = () => ({ kind: "hang" });
    const running = plugin().execute(context(copyingTask().t));
    await until(() => pods()[0], "the pod");
    sim.store("Pod").delete(NS, "e1-n0-0");
    expect(await running).toMatchObject({ kind: "failure", error: { kind: "SYSTEM", code: "PodDeleted", recoverable: true } });
  });

  it("re-attaches to the attempt's pod after an engine restart instead of creating a second", async () => {
    sim.kubelet.outcome = () => ({ kind: "hang" });
    const { t } = copyingTask();
    const first = plugin();
    void first.execute(context(t));
    const uid = (await until(() => pods()[0], "the first engine's pod")).metadata.uid;
    await first.close!(); // the engine dies: its informers stop, the pod stays
    const second = plugin();
    const attached = second.execute(context(t));
    await until(() => (requests.some((r) => r.startsWith("GET") && r.includes("watch=true") && requests.indexOf(r) > requests.findIndex((x) => x.startsWith("POST"))) ? true : undefined), "the second informer");
    expect(pods().map((p) => p.metadata.uid)).toEqual([uid]);
    // The pod finishes as the kubelet would, with the outputs the task wrote.
    await context(t).blobStore.put(`${context(t).outputPrefix}/outputs.pb`, toBinary(core.LiteralMapSchema, create(core.LiteralMapSchema, { literals: { y: lit.integer(7) } })));
    const pod = sim.store("Pod").get(NS, "e1-n0-0");
    sim.store("Pod").update(NS, "e1-n0-0", { ...pod, status: { ...pod.status, phase: "Succeeded" } }, { subresource: "status" });
    const result = await attached;
    expect(result.kind).toBe("success");
    // The second engine's create was refused (409) and it followed the existing pod.
    expect(podPosts()).toBe(2);
    expect(sim.store("Pod").all()).toEqual([]);
  });

  it("refuses a pod name that another attempt owns", async () => {
    sim.kubelet.outcome = () => ({ kind: "hang" });
    sim.store("Pod").create(NS, { metadata: { name: "e1-n0-0", annotations: { "aloft.dev/action-key": "someone/else#0" } }, spec: { containers: [{ name: "c", image: "x" }] } });
    expect(await plugin().execute(context(copyingTask().t))).toMatchObject({ kind: "failure", error: { code: "PodNameTaken", recoverable: false } });
  });
});

describe("routing tasks to pods", () => {
  const t = task("wf.t", {}, {}, { type: "python-task" });
  t.target = { case: "container", value: create(core.ContainerSchema, { image: "x" }) };
  it("sends every container task when no route is set, and only the listed ones otherwise", () => {
    const route = { taskTypes: [], projects: [], tasks: [] };
    expect(routesToPod(t, route)).toBe(true);
    expect(routesToPod(t, { ...route, taskTypes: ["typescript-task"] })).toBe(false);
    expect(routesToPod(t, { ...route, taskTypes: ["python-task"] })).toBe(true);
    expect(routesToPod(t, { ...route, tasks: ["wf.t"] })).toBe(true);
    expect(routesToPod(create(core.TaskTemplateSchema, { type: "echo" }), route)).toBe(false);
  });
});
