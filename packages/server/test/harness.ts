// Test support: a real control plane (embedded PGlite or a throwaway PostgreSQL database, a filesystem blob
// store in a temp directory) behind a real server on a random port.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { openDatabase, type Database } from "@aloft/engine";
import { createTestPostgres } from "@aloft/engine/test-postgres";
import { DataLayout, FileSystemBlobStore } from "@aloft/storage";
import type { AdminContext, ExecutionLauncher, LaunchRequest } from "../src/context.ts";
import type { AdminTables } from "../src/db/schema.ts";
import { serverMigrations } from "../src/db/migrations.ts";
import { authMigrations } from "../src/auth/migrations.ts";
import { startAdminServer, type AdminServer, type AdminServerOptions } from "../src/server.ts";
import type { BindingHooks } from "../src/services/bindings.ts";

/** Records what the control plane asks the engine to do; tests that need real runs use the engine itself. */
export class RecordingLauncher implements ExecutionLauncher {
  launched: LaunchRequest[] = [];
  terminated: { name: string; cause: string }[] = [];
  async launch(r: LaunchRequest) {
    this.launched.push(r);
  }
  async terminate(id: { name: string }, cause: string) {
    this.terminated.push({ name: id.name, cause });
  }
  signals: { name: string; signalId: string }[] = [];
  async setSignal(id: { name: string }, signalId: string) {
    this.signals.push({ name: id.name, signalId });
  }
}

export interface Harness {
  ctx: AdminContext;
  server: AdminServer;
  db: Database;
  dir: string;
  close(): Promise<void>;
}

export async function startHarness(options: { postgres?: boolean; launcher?: ExecutionLauncher; hooks?: BindingHooks; server?: Partial<AdminServerOptions> } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "aloft-server-"));
  const postgres = options.postgres ? await createTestPostgres("aloft_server") : undefined;
  const url = postgres?.url;
  const dropPostgres = postgres?.drop;
  const db = await openDatabase({ ...(url ? { url } : {}), migrations: [...serverMigrations, ...authMigrations] });
  const root = pathToFileURL(join(dir, "blobs")).toString();
  const signing = { baseUrl: "http://127.0.0.1:0/blobs", secret: randomBytes(32).toString("hex") };
  let blobs = new FileSystemBlobStore({ root, signing });
  const ctx: AdminContext = {
    db: db.typed<AdminTables>(),
    blobs,
    layout: new DataLayout({ base: root }),
    launcher: options.launcher,
    domains: [
      { id: "development", name: "development" },
      { id: "staging", name: "staging" },
      { id: "production", name: "production" },
    ],
    log: pino({ level: "silent" }),
    now: () => new Date(),
    version: { version: "test", build: "test", buildTime: "" },
  };
  const server = await startAdminServer({ host: "127.0.0.1", port: 0, maxMessageBytes: 8 * 1024 * 1024, context: ctx, ...(options.hooks ? { hooks: options.hooks } : {}), blobs: { store: blobs, signing }, ...options.server });
  // The signing base URL needs the port, known only once listening.
  signing.baseUrl = `${server.url}/blobs`;
  blobs = new FileSystemBlobStore({ root, signing });
  ctx.blobs = blobs;
  return {
    ctx,
    server,
    db,
    dir,
    async close() {
      await server.close();
      await db.close();
      await dropPostgres?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
