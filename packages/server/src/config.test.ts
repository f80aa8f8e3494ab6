import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

const dir = mkdtempSync(join(tmpdir(), "aloft-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("config loader", () => {
  it("keeps the Kubernetes pod plugin off by default; a kubernetes section (file, ALOFT_KUBERNETES or --kubernetes) turns it on", () => {
    expect(loadConfig({ argv: [], env: {} }).kubernetes).toBeUndefined();
    const file = join(dir, "k8s.json");
    writeFileSync(
      file,
      JSON.stringify({
        kubernetes: {
          kubeconfig: "/etc/aloft/kubeconfig",
          namespace: "flyte-{{project}}",
          route: { taskTypes: ["typescript-task", "python-task"] },
          defaultRequests: { cpu: "500m", memory: "512Mi" },
          interruptible: { tolerations: [{ key: "spot", operator: "Exists", effect: "NoSchedule" }], nodeSelector: { "node.kubernetes.io/lifecycle": "spot" } },
          deletePods: "on-success",
        },
      }),
    );
    expect(loadConfig({ argv: ["--config", file], env: {} }).kubernetes).toMatchObject({
      kubeconfig: "/etc/aloft/kubeconfig",
      namespace: "flyte-{{project}}",
      route: { taskTypes: ["typescript-task", "python-task"], projects: [], tasks: [] },
      defaultRequests: { cpu: "500m", memory: "512Mi" },
      interruptible: { nodeSelector: { "node.kubernetes.io/lifecycle": "spot" } },
      deletePods: "on-success",
      imagePullBackoffGracePeriodMs: 180_000,
    });
    expect(loadConfig({ argv: [], env: { ALOFT_KUBERNETES: '{"namespace":"tasks"}' } }).kubernetes?.namespace).toBe("tasks");
    expect(() => loadConfig({ argv: ["--kubernetes", '{"deletePods":"sometimes"}'], env: {} })).toThrow(/flag --kubernetes: kubernetes.deletePods: expected "always", "on-success" or "never"/);
    expect(() => loadConfig({ argv: ["--kubernetes", '{"namespaces":"x"}'], env: {} })).toThrow(/kubernetes.namespaces: unknown setting/);
  });

  it("keeps authentication off by default; --auth alone, ALOFT_AUTH or an auth section turns it on", () => {
    expect(loadConfig({ argv: [], env: {} }).auth.enabled).toBe(false);
    expect(loadConfig({ argv: ["--auth"], env: {} }).auth.enabled).toBe(true);
    expect(loadConfig({ argv: ["--auth", "--port", "9"], env: {} })).toMatchObject({ port: 9, auth: { enabled: true } });
    expect(loadConfig({ argv: [], env: { ALOFT_AUTH: "true" } }).auth.enabled).toBe(true);
    const file = join(dir, "auth.json");
    writeFileSync(file, JSON.stringify({ auth: { issuer: "https://idp.example.com/", audience: "aloft", orgAdmins: ["group:platform"] } }));
    expect(loadConfig({ argv: ["--config", file], env: {} }).auth).toMatchObject({ enabled: true, issuer: "https://idp.example.com", audience: "aloft", orgAdmins: ["group:platform"] });
    writeFileSync(file, JSON.stringify({ auth: { issuer: "https://idp.example.com" } }));
    expect(() => loadConfig({ argv: ["--config", file], env: {} })).toThrow(/audience is required with issuer/);
    writeFileSync(file, JSON.stringify({ auth: { orgAdmins: ["alice"] } }));
    expect(() => loadConfig({ argv: ["--config", file], env: {} })).toThrow(/auth.orgAdmins: "alice" is not user:<subject>/);
    writeFileSync(file, JSON.stringify({ auth: { issuer: "https://i", audience: "a", jwks: "x" } }));
    expect(() => loadConfig({ argv: ["--config", file], env: {} })).toThrow(/auth.jwks: unknown key/);
  });

  it("reads the task environment settings, with an allow-list by default and errors naming the bad entry", () => {
    expect(loadConfig({ argv: [], env: {} })).toMatchObject({ taskEnvAllow: expect.arrayContaining(["PATH", "PYTHON*"]), keepFailedTaskDirs: false });
    const c = loadConfig({ argv: ["--task-env-allow", "PATH,AWS_*", "--keep-failed-task-dirs", "true"], env: { ALOFT_TASK_SECRETS_DIR: "/run/secrets" } });
    expect(c).toMatchObject({ taskEnvAllow: ["PATH", "AWS_*"], keepFailedTaskDirs: true, taskSecretsDir: "/run/secrets" });
    expect(() => loadConfig({ argv: ["--task-env-allow", "PATH,A-B"], env: {} })).toThrow(/taskEnvAllow\[1\]/);
    expect(() => loadConfig({ argv: ["--keep-failed-task-dirs", "yes"], env: {} })).toThrow(/--keep-failed-task-dirs: expected true or false/);
  });

  it("layers defaults, file, environment and flags, later ones winning", () => {
    const file = join(dir, "aloft.json");
    writeFileSync(file, JSON.stringify({ port: 9000, host: "0.0.0.0", domains: ["dev", "prod"], logLevel: "debug" }));
    const c = loadConfig({ argv: ["--config", file, "--port=9100"], env: { ALOFT_HOST: "127.0.0.2", ALOFT_PROJECTS: "a,b" } });
    expect(c).toMatchObject({ port: 9100, host: "127.0.0.2", domains: ["dev", "prod"], projects: ["a", "b"], logLevel: "debug" });
  });

  it("rejects unknown keys, flags and malformed values, saying where they came from", () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ argv: ["--config", file], env: {} })).toThrow(/config file .*bad.json: unknown key prot/);
    expect(() => loadConfig({ argv: ["--prot", "1"], env: {} })).toThrow("unknown flag --prot");
    expect(() => loadConfig({ argv: [], env: { ALOFT_PORT: "eighty" } })).toThrow('environment ALOFT_PORT: expected a non-negative integer, got "eighty"');
    expect(() => loadConfig({ argv: ["--port", "70000"], env: {} })).toThrow("port must be at most 65535");
    expect(() => loadConfig({ argv: ["--database-url", "mysql://x"], env: {} })).toThrow("postgres://");
    expect(() => loadConfig({ argv: ["--webhooks", '[{"url":"ftp://x"}]'], env: {} })).toThrow("webhooks[0].url must be http(s)");
    expect(() => loadConfig({ argv: ["--port"], env: {} })).toThrow("flag --port needs a value");
  });
  it("reads the front door and upload options, rejecting malformed entries naming the key", () => {
    const c = loadConfig({ argv: ["--allowed-hosts", "flyte.example.com,*.corp.example", "--allowed-origins=https://console.example.com", "--max-upload-bytes", "1048576", "--max-concurrent-uploads", "2"], env: {} });
    expect(c).toMatchObject({ allowedHosts: ["flyte.example.com", "*.corp.example"], allowedOrigins: ["https://console.example.com"], maxUploadBytes: 1048576, maxConcurrentUploads: 2 });
    expect(loadConfig({ argv: [], env: { ALOFT_ALLOWED_ORIGINS: "http://localhost:3000" } }).allowedOrigins).toEqual(["http://localhost:3000"]);
    expect(() => loadConfig({ argv: ["--allowed-hosts", "flyte.example.com:443"], env: {} })).toThrow(/^allowedHosts: "flyte.example.com:443"/);
    expect(() => loadConfig({ argv: ["--allowed-origins", "https://console.example.com/"], env: {} })).toThrow(/^allowedOrigins:/);
    expect(() => loadConfig({ argv: ["--max-concurrent-uploads", "0"], env: {} })).toThrow("maxConcurrentUploads must be at least 1");
    expect(() => loadConfig({ argv: ["--public-url", "flyte.example.com"], env: {} })).toThrow("publicUrl must be an http(s) URL");
  });
});
