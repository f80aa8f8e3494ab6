// Secrets on aloft start: a TypeScript task declares a secret, the server reads it from its secrets directory
// (taskSecretsDir) and hands it to that task's request only; it reaches no input, output, event, log or database row:
// after the runs, no file under the server's data directory holds the value.
import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/commands/run.ts";
import { captureIO, startTestServer, type TestServer } from "../server.ts";

const example = fileURLToPath(new URL("../../../../examples/secrets/secrets.ts", import.meta.url));
const SECRET = `aloft-e2e-secret-${process.pid}-${Date.now()}`;
let server: TestServer;
let secrets: string;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

async function remoteRun(args: string[]) {
  const io = captureIO();
  let code: number;
  try {
    code = await run.run(["--remote", "--json", example, ...args, "--endpoint", server.endpoint], io);
  } catch (e) {
    io.err((e as Error).message);
    code = 2;
  }
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

beforeAll(async () => {
  secrets = mkdtempSync(join(tmpdir(), "aloft-secrets-dir-"));
  server = await startTestServer({ taskSecretsDir: secrets });
}, 60_000);
afterAll(async () => {
  await server?.close();
  rmSync(secrets, { recursive: true, force: true });
});

describe("secrets on aloft start", () => {
  it("fails naming the secret while the secrets directory lacks it", async () => {
    const r = await remoteRun(["signOrder", "--order", "o-0"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/secret billing\/signing_key is not in the secrets directory/);
  }, 60_000);

  it("gives a TypeScript task its declared secret from the server's secrets directory, and stores it nowhere", async () => {
    mkdirSync(join(secrets, "billing"));
    writeFileSync(join(secrets, "billing", "signing_key"), SECRET);
    const r = await remoteRun(["signOrder", "--order", "o-7"]);
    expect(r.code, r.err).toBe(0);
    const signature = createHmac("sha256", SECRET).update("o-7").digest("hex");
    expect(JSON.parse(JSON.parse(r.out.split("\n").at(-1)!).o0)).toEqual({ payload: "o-7", signature });
    // The database (PGlite's files), blob store, logs and task directories under the data directory.
    const files = filesUnder(server.dir).filter((f) => statSync(f).size < 512 * 1024 * 1024);
    expect(files.filter((f) => readFileSync(f).includes(SECRET))).toEqual([]);
    // The scan sees what the run stored: the signature (an output) is there.
    expect(files.some((f) => readFileSync(f).includes(signature))).toBe(true);
  }, 60_000);
});
