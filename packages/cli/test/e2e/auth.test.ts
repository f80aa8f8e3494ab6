// `aloft start --auth` on the user's path, through the real binaries: the CLI is refused without a credential,
// the bootstrap admin key (the 0600 admin-key file) creates a Contributor key shown once, that key runs a workflow
// remotely, `aloft audit` shows who did what, and a revoked key is refused.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAloft, spawnServer } from "../binary.ts";

const flow = fileURLToPath(new URL("./testdata/cached-flow.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "aloft-auth-"));
let server: { child: ChildProcess; url: string };
const adminEnv = () => ({ ALOFT_API_KEY_FILE: join(dir, "data", "admin-key") });

beforeAll(async () => {
  server = await spawnServer(join(dir, "data"), { ALOFT_AUTH: "true" });
}, 60_000);
afterAll(() => {
  server?.child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("aloft start --auth with the aloft CLI", () => {
  it("refuses the CLI without a credential, saying how to send one", async () => {
    const r = await runAloft(["get", "projects"], server.url);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no credentials.*ALOFT_API_KEY/);
    expect(statSync(adminEnv().ALOFT_API_KEY_FILE).mode & 0o777).toBe(0o600);
  });

  it("creates a key with a role, runs a workflow with it, shows the audit log and refuses the key once revoked", async () => {
    const created = await runAloft(["auth", "keys", "create", "ci", "--grant", "flytesnacks/*/contributor"], server.url, adminEnv());
    expect(created.stderr).toBe("");
    const key = /^(aloft_\S+)$/m.exec(created.stdout)![1]!;
    const id = /^aloft_([0-9a-f]{16})_/.exec(key)![1]!;
    const ci = { ALOFT_API_KEY: key };
    expect((await runAloft(["auth", "whoami"], server.url, ci)).stdout).toMatch(new RegExp(`key:${id}[\\s\\S]*flytesnacks\\s+\\*\\s+contributor`));

    const run = await runAloft(["run", "--remote", flow, "cachedFlow", "--x", "3"], server.url, ci);
    expect(run.stderr + run.stdout).toMatch(/SUCCEEDED/);
    // A Contributor may not administer keys or read the organization's audit log.
    expect((await runAloft(["auth", "keys", "list"], server.url, ci)).stderr).toMatch(/not an organization admin/);
    expect((await runAloft(["get", "projects", "--project", "other"], server.url, ci)).stdout).toMatch(/flytesnacks/);

    const audit = await runAloft(["audit", "--principal", `key:${id}`], server.url, adminEnv());
    expect(audit.stdout).toMatch(/key:\w+\s+AdminService\.createExecution\s+flytesnacks\/development\/\S+\s+OK/);
    expect(audit.stdout).not.toContain(key);
    expect((await runAloft(["audit", "--action", "auth.keys.create"], server.url, adminEnv())).stdout).toMatch(new RegExp(`auth\\.keys\\.create\\s+key:${id}\\s+OK`));

    expect((await runAloft(["auth", "keys", "revoke", id], server.url, adminEnv())).stdout).toBe(`revoked ${id}\n`);
    const after = await runAloft(["get", "projects"], server.url, ci);
    expect(after.code).not.toBe(0);
    expect(after.stderr).toMatch(/revoked/);
  }, 120_000);
});
