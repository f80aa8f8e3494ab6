// The simulator checked with kubectl itself: apply, get (its Table columns and jsonpath), logs, delete.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeSimulator, type KubeSimulator } from "./index.ts";

const run = promisify(execFile);
let sim: KubeSimulator;
let dir: string;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run("kubectl", args, { env: { PATH: process.env.PATH!, HOME: dir, KUBECONFIG: join(dir, "kubeconfig") } });
  return stdout;
}

beforeAll(async () => {
  sim = await startKubeSimulator({ namespaces: ["demo"], kubelet: { outcome: () => ({ kind: "run" }), baseEnv: { PATH: process.env.PATH! } } });
  dir = mkdtempSync(join(tmpdir(), "kube-sim-kubectl-"));
  sim.writeKubeconfig(join(dir, "kubeconfig"), "demo");
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("kubectl against the simulator", () => {
  it("applies a pod, sees it run to Succeeded, reads its log and deletes it", async () => {
    const manifest = join(dir, "pod.yaml");
    writeFileSync(
      manifest,
      ["apiVersion: v1", "kind: Pod", "metadata:", "  name: hello", "  labels: {app: hello}", "spec:", "  restartPolicy: Never", "  containers:", "  - name: main", "    image: busybox", '    command: ["sh", "-c", "echo hello from $HOSTNAME"]', ""].join("\n"),
    );
    // The simulator serves no OpenAPI documents, so kubectl's client-side validation is off; the simulator
    // validates every object itself (kubernetes-models' schemas).
    expect(await kubectl("apply", "--validate=false", "-f", manifest)).toBe("pod/hello created\n");
    await kubectl("wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/hello", "--timeout=10s");
    expect(await kubectl("get", "pods", "-l", "app=hello")).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nhello\s+0\/1\s+Succeeded\s+0\s+\d+s\n$/);
    expect(await kubectl("logs", "hello")).toBe("hello from hello\n");
    expect(await kubectl("delete", "pod", "hello")).toBe('pod "hello" deleted\n');
    expect(await kubectl("get", "pods", "-o", "name")).toBe("");
  });

  it("reports an invalid object with Kubernetes' error", async () => {
    const manifest = join(dir, "bad.yaml");
    writeFileSync(manifest, ["apiVersion: v1", "kind: Pod", "metadata:", "  name: bad", "spec:", "  containers:", "  - image: busybox", ""].join("\n"));
    const err = await kubectl("apply", "--validate=false", "-f", manifest).then(
      () => "",
      (e: { stderr: string }) => e.stderr,
    );
    expect(err).toContain('Pod "bad" is invalid');
    expect(err).toContain("spec.containers[0]");
  });
});
