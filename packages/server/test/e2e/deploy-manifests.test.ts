// The Kubernetes deployment (deploy/kubernetes, a kustomize base) rendered by kubectl and applied to the
// Kubernetes API simulator, which validates every object against Kubernetes' schemas; its aloft.json is
// read by the server's own configuration loader.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeSimulator, type KubeSimulator } from "@aloft/kube-sim";
import { loadConfig } from "../../src/config.ts";

const base = fileURLToPath(new URL("../../../../deploy/kubernetes", import.meta.url));
let sim: KubeSimulator;
let dir: string;
let env: Record<string, string>;

const kubectl = async (...args: string[]) => (await promisify(execFile)("kubectl", args, { env })).stdout;

function kubectlStdin(input: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("kubectl", args, { env });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (code) => resolve({ code, out }));
    child.stdin.end(input);
  });
}

beforeAll(async () => {
  sim = await startKubeSimulator();
  dir = mkdtempSync(join(tmpdir(), "aloft-deploy-"));
  env = { PATH: process.env.PATH!, HOME: dir, KUBECONFIG: sim.writeKubeconfig(join(dir, "kubeconfig")) };
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("deploy/kubernetes", () => {
  it("renders with kubectl kustomize and applies cleanly (server dry run, then for real)", async () => {
    const rendered = await kubectl("kustomize", base);
    const dry = await kubectlStdin(rendered, "apply", "--validate=false", "--dry-run=server", "-f", "-");
    // The namespace does not exist yet in a dry run, so only cluster-scoped objects and the namespace pass.
    expect(dry.out).toContain("namespace/aloft created (server dry run)");
    const applied = await kubectlStdin(rendered, "apply", "--validate=false", "-f", "-");
    expect(applied.code, applied.out).toBe(0);
    expect(applied.out.trim().split("\n").sort()).toEqual([
      "clusterrole.rbac.authorization.k8s.io/aloft-task-pods created",
      "clusterrolebinding.rbac.authorization.k8s.io/aloft-task-pods created",
      "configmap/aloft-config created",
      "deployment.apps/aloft created",
      "namespace/aloft created",
      "secret/aloft-database created",
      "service/aloft created",
      "serviceaccount/aloft created",
    ]);
    expect(await kubectl("get", "deployment", "aloft", "-n", "aloft", "-o", "jsonpath={.spec.replicas} {.spec.strategy.type} {.spec.template.spec.serviceAccountName}")).toBe("1 Recreate aloft");
    const rules = JSON.parse(await kubectl("get", "clusterrole", "aloft-task-pods", "-o", "jsonpath={.rules}")) as { resources: string[]; verbs: string[] }[];
    expect(rules.find((r) => r.resources.includes("pods"))!.verbs.sort()).toEqual(["create", "delete", "get", "list", "watch"]);
  });

  it("ships an aloft.json the server's configuration loader accepts, with the pod plugin on", async () => {
    const json = await kubectl("get", "configmap", "aloft-config", "-n", "aloft", "-o", "jsonpath={.data.aloft\\.json}");
    const file = join(dir, "aloft.json");
    writeFileSync(file, json);
    const config = loadConfig({ argv: ["--config", file], env: {} });
    expect(config.kubernetes).toMatchObject({ namespace: "{{project}}-{{domain}}", kubeconfig: undefined, deletePods: "on-success" });
    expect(config.host).toBe("0.0.0.0");
  });
});
