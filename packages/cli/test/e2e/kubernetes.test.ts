// Tasks as Kubernetes pods on the user's path: the real `aloft start` binary with a `kubernetes` section
// pointing at the Kubernetes API simulator, `aloft run --remote`, and kubectl to look at the pods. The
// simulated kubelet runs each pod's command (`aloft-task …`) as a local process.
import { execFile, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeSimulator, type KubeSimulator } from "@aloft/kube-sim";
import { runAloft, spawnServer } from "../binary.ts";

const flow = fileURLToPath(new URL("./testdata/k8s-flow.ts", import.meta.url));
const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const NS = "flytesnacks-development";

let dir: string;
let sim: KubeSimulator;
let kubeconfig: string;
let server: ChildProcess;
let endpoint: string;
const aloft = (args: string[]) => runAloft(args, endpoint);
const kubectl = async (...args: string[]) => (await promisify(execFile)("kubectl", args, { env: { PATH: process.env.PATH!, HOME: dir, KUBECONFIG: kubeconfig } })).stdout;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aloft-k8s-e2e-"));
  sim = await startKubeSimulator({
    namespaces: [NS],
    kubelet: {
      // The repository stands in for a TypeScript task image: aloft-task on the PATH, @aloft/sdk in node_modules.
      baseEnv: { PATH: `${join(repo, "node_modules/.bin")}:${process.env.PATH}` },
      imageWorkingDir: repo,
      outcome: (pod) => {
        const labels = pod.metadata.labels ?? {};
        if (labels["task-name"] === "k8sflow.flaky" && labels.attempt === "0") return { kind: "oomKilled" };
        if (labels["task-name"] === "k8sflow.forever") return { kind: "hang" };
        return { kind: "run" };
      },
    },
  });
  kubeconfig = sim.writeKubeconfig(join(dir, "kubeconfig"), NS);
  const k8s = { kubeconfig, route: { taskTypes: ["typescript-task"] }, deletePods: "never", defaultRequests: { cpu: "250m", memory: "256Mi" } };
  const s = await spawnServer(join(dir, "data"), { ALOFT_KUBERNETES: JSON.stringify(k8s) });
  server = s.child;
  endpoint = s.url;
}, 120_000);
afterAll(async () => {
  server?.kill("SIGKILL");
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("aloft start with the Kubernetes pod plugin", () => {
  it("runs TypeScript tasks as pods with their outputs, retrying an OOM-killed attempt in a new pod", async () => {
    const run = await aloft(["run", "--remote", "--json", flow, "doubleFlow", "--x", "20"]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ y: 41 });
    const attempts = await kubectl("get", "pods", "-l", "task-name=k8sflow.flaky", "-o", "jsonpath={range .items[*]}{.metadata.labels.attempt}:{.status.phase}:{.status.containerStatuses[0].state.terminated.reason} {end}");
    expect(attempts.trim().split(" ").sort()).toEqual(["0:Failed:OOMKilled", "1:Succeeded:Completed"]);
    const [doublePod] = (await kubectl("get", "pods", "-l", "task-name=k8sflow.double", "-o", "name")).trim().split("\n");
    expect(await kubectl("logs", doublePod!)).toContain(`doubling 20 in ${doublePod!.replace("pod/", "")}`);
    const resources = await kubectl("get", doublePod!, "-o", "jsonpath={.spec.containers[0].resources.requests.cpu} {.spec.restartPolicy} {.spec.containers[0].args[0]}");
    expect(resources).toBe("250m Never aloft-task");
  }, 120_000);

  it("deletes the pod of an execution that is terminated", async () => {
    const run = aloft(["run", "--remote", flow, "foreverFlow", "--x", "1"]);
    const pods = sim.store("Pod");
    const running = async () => {
      const end = Date.now() + 60_000;
      for (;;) {
        const p = pods.all().find((x) => x.metadata.labels?.["task-name"] === "k8sflow.forever" && (x.status as { phase?: string }).phase === "Running");
        if (p) return p;
        if (Date.now() > end) throw new Error("the pod did not start");
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const pod = await running();
    expect(await kubectl("get", "pod", pod.metadata.name!, "-o", "jsonpath={.status.phase}")).toBe("Running");
    const terminated = await aloft(["terminate", pod.metadata.labels!["execution-id"]!]);
    expect(terminated.code, terminated.stderr).toBe(0);
    const end = Date.now() + 30_000;
    while (pods.has(NS, pod.metadata.name!) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(pods.has(NS, pod.metadata.name!)).toBe(false);
    const finished = await run;
    expect(finished.stdout + finished.stderr).toMatch(/ABORTED/);
  }, 120_000);
});
