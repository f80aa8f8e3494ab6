import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runWorkflow, task, t, workflow } from "@aloft/sdk";
import { signOrder } from "./secrets.ts";

const saved = { ...process.env };
afterEach(() => {
  for (const k of ["_FSEC_BILLING_SIGNING_KEY", "FLYTE_SECRETS_DEFAULT_DIR", "FLYTE_SECRETS_ENV_PREFIX"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

const hmac = (key: string, text: string) => createHmac("sha256", key).update(text).digest("hex");

describe("secrets example", () => {
  it("reads the declared secret from flytekit's environment variable", async () => {
    process.env._FSEC_BILLING_SIGNING_KEY = "env-key";
    const { outputs } = await runWorkflow(signOrder, { order: "o-1" });
    expect(JSON.parse(outputs)).toEqual({ payload: "o-1", signature: hmac("env-key", "o-1") });
  });

  it("reads it from a file under FLYTE_SECRETS_DEFAULT_DIR, and honours FLYTE_SECRETS_ENV_PREFIX", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aloft-secrets-"));
    try {
      mkdirSync(join(dir, "billing"));
      writeFileSync(join(dir, "billing", "signing_key"), "file-key");
      process.env.FLYTE_SECRETS_DEFAULT_DIR = dir;
      expect(JSON.parse((await runWorkflow(signOrder, { order: "o-2" })).outputs).signature).toBe(hmac("file-key", "o-2"));
      process.env.FLYTE_SECRETS_ENV_PREFIX = "MY_";
      process.env._FSEC_BILLING_SIGNING_KEY = "ignored: another prefix is configured";
      expect(JSON.parse((await runWorkflow(signOrder, { order: "o-2" })).outputs).signature).toBe(hmac("file-key", "o-2"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails naming the secret when it is missing or was not declared, never printing a value", async () => {
    process.env.FLYTE_SECRETS_DEFAULT_DIR = "/nonexistent";
    await expect(runWorkflow(signOrder, { order: "x" })).rejects.toThrow(/secret billing\/signing_key is not set: neither _FSEC_BILLING_SIGNING_KEY .* nor the file \/nonexistent\/billing\/signing_key/);
    process.env._FSEC_BILLING_SIGNING_KEY = "declared-elsewhere";
    const sneaky = task({ name: "sneaky", outputs: t.string() }, (_, ctx) => ctx.secrets.get("billing", "signing_key"));
    const wf = workflow({ name: "sneaky-wf", outputs: t.string() }, () => sneaky({}));
    const err = await runWorkflow(wf, {}).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/task "sneaky" did not request secret billing\/signing_key/);
    expect(err?.message).not.toContain("declared-elsewhere");
  });
});
