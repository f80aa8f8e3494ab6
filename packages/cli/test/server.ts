// For the CLI's remote tests: `aloft start` in process (embedded database in a throwaway directory, any free port)
// with the task plugins `aloft start` has, and a CommandIO that keeps what a command prints.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig, startAloft, type Aloft } from "@aloft/server";
import type { CommandIO } from "../src/command.ts";
import { serverTaskPlugins } from "../src/remote/server-plugins.ts";

export function captureIO(): CommandIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), verbose: false };
}

export interface TestServer {
  aloft: Aloft;
  endpoint: string;
  /** The server's data directory, removed by close(); tests may keep files of their own under it. */
  dir: string;
  close(): Promise<void>;
}

export async function startTestServer(options: { workers?: number; taskSecretsDir?: string } = {}): Promise<TestServer> {
  // Workers import code bundles with Node's own loader; a bundle imports the SDK's TypeScript sources, as under
  // the `aloft` binary, which runs with tsx's loader.
  const { register } = await import("tsx/esm/api");
  register();
  const dir = mkdtempSync(join(tmpdir(), "aloft-remote-"));
  const config = { ...defaultConfig(), port: 0, dataDir: dir, logLevel: "silent", taskSecretsDir: options.taskSecretsDir };
  // The plugins `aloft start` runs tasks with, so a remote test sees what users get.
  const plugins = await serverTaskPlugins({ taskEnvAllow: config.taskEnvAllow, dataDir: dir, secretsDir: options.taskSecretsDir, workers: options.workers ?? 1 });
  const aloft = await startAloft(config, { plugins });
  await aloft.ready;
  return {
    aloft,
    endpoint: aloft.server.url,
    dir,
    async close() {
      await aloft.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
