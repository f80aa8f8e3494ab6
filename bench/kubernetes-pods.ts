// The pod plugin's throughput against the Kubernetes API simulator: N task attempts at once, each created as a
// pod, followed through the namespace informer to Succeeded (the simulated kubelet ends each pod at once), read
// and deleted. Measures the plugin and the API round trips, not the engine's own bookkeeping. Prints figures
// only; run with `npx tsx bench/kubernetes-pods.ts` (optionally `--pods N`).
import { create } from "@bufbuild/protobuf";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { core } from "@aloft/idl";
import { defaultKubernetesConfig, loadKubernetesPodPlugin, MemoryBlobStore, type TaskExecutionContext } from "@aloft/engine";
import { startKubeSimulator } from "@aloft/kube-sim";

const i = process.argv.indexOf("--pods");
const N = i >= 0 ? Number(process.argv[i + 1]) : 2000;
const NS = "bench-development";

const sim = await startKubeSimulator({ namespaces: [NS], historySize: 4 * N, kubelet: { stepMs: 1, outcome: () => ({ kind: "exit", code: 0, afterMs: 1 }) } });
const dir = mkdtempSync(join(tmpdir(), "aloft-bench-k8s-"));
const kubeconfig = sim.writeKubeconfig(join(dir, "kubeconfig"));
const plugin = await loadKubernetesPodPlugin({ config: { ...defaultKubernetesConfig(), kubeconfig, namespace: "{{project}}-{{domain}}", deletePods: "always" } });
const blobs = new MemoryBlobStore();
const task = create(core.TaskTemplateSchema, {
  id: { resourceType: core.ResourceType.TASK, project: "bench", domain: "development", name: "bench.noop", version: "v1" },
  type: "python-task",
  interface: { inputs: { variables: {} }, outputs: { variables: {} } },
  target: { case: "container", value: create(core.ContainerSchema, { image: "alpine:3.20", command: ["true"] }) },
});
const ctx = (n: number): TaskExecutionContext => ({
  task,
  executionId: create(core.WorkflowExecutionIdentifierSchema, { project: "bench", domain: "development", name: "e1" }),
  actionKey: `bench/development/e1/n${n}`,
  nodeId: `n${n}`,
  attempt: 0,
  inputs: create(core.LiteralMapSchema),
  inputsPath: `mem://b/e1/n${n}/inputs.pb`,
  inputsUri: async () => `mem://b/e1/n${n}/inputs.pb`,
  outputPrefix: `mem://b/e1/n${n}/0`,
  rawOutputPrefix: `mem://b/raw/n${n}`,
  checkpointPrefix: `mem://b/e1/n${n}/0/_flytecheckpoints`,
  prevCheckpointPrefix: "",
  interruptible: false,
  signal: new AbortController().signal,
  log: { write: () => undefined },
  blobStore: blobs,
  environment: {},
});

const t0 = performance.now();
const results = await Promise.all(Array.from({ length: N }, (_, n) => plugin.execute(ctx(n))));
const ms = performance.now() - t0;
const ok = results.filter((r) => r.kind === "success").length;
console.log(`${N} concurrent pod attempts: ${ok} succeeded in ${(ms / 1000).toFixed(1)} s = ${Math.round((N / ms) * 60_000)} pods/minute (create, follow, read, delete)`);
const failures = new Map<string, number>();
for (const r of results) if (r.kind === "failure") failures.set(`${r.error.code}: ${r.error.message.replace(/e1-n\d+-0/g, "…").slice(0, 300)}`, (failures.get(`${r.error.code}: ${r.error.message.replace(/e1-n\d+-0/g, "…").slice(0, 300)}`) ?? 0) + 1);
for (const [what, n] of failures) console.log(`  ${n} failed with ${what}`);
console.log(`pods left: ${sim.store("Pod").all().length}; RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
await plugin.close?.();
await sim.close();
rmSync(dir, { recursive: true, force: true });
