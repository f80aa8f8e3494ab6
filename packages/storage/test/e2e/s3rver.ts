// Starts and stops the s3rver child process for e2e tests.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export interface RunningS3 {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startS3rver(buckets: string[]): Promise<RunningS3> {
  const dir = await mkdtemp(join(tmpdir(), "aloft-s3rver-"));
  // s3rver encrypts list continuation tokens with DES, which Node's OpenSSL 3 only offers through its legacy provider.
  const args = ["--openssl-legacy-provider", join(import.meta.dirname, "s3rver-main.mjs"), dir, ...buckets];
  const child = spawn(process.execPath, args, {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`s3rver exited early with code ${code}`)));
    createInterface({ input: child.stdout }).once("line", (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
