// `aloft start` in one process: the server listens at once and holds requests while the database (PGlite's
// first start compiles WASM for seconds), blob store, engine and scheduler come up behind it.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pino, { type Logger } from "pino";
import { createEngine, engineMigrations, localProcessPlugin, openDatabase, withStoreFaults, type Engine, type TaskPlugin, type Database } from "@aloft/engine";
import { createBlobStore, DataLayout } from "@aloft/storage";
import { consoleAssetsDir } from "@aloft/console";
import type { AloftConfig } from "./config.ts";
import type { AdminContext } from "./context.ts";
import type { AdminTables } from "./db/schema.ts";
import { serverMigrations } from "./db/migrations.ts";
import { startAdminServer, type AdminServer } from "./server.ts";
import { adminEventSink, engineLauncher } from "./execution/engine-launcher.ts";
import { launchPlanResolver } from "./execution/launch-plan-resolver.ts";
import { echoPlugin } from "./execution/echo-plugin.ts";
import { ChildExecutions } from "./execution/child-executions.ts";
import { recoveredOutputsPlugin } from "./execution/recovery.ts";
import { webhookNotifier } from "./notifications/webhooks.ts";
import type { PhaseListener } from "./admin/events/workflow-event.ts";
import { Scheduler } from "./scheduler/scheduler.ts";
import { createAuthService } from "./auth/service.ts";
import { authMigrations } from "./auth/migrations.ts";
import { bootstrapAdminKey } from "./auth/bootstrap.ts";
import { ServerMetrics } from "./observability/metrics.ts";
import { ExecutionReporter } from "./observability/execution-report.ts";
import { healthRoute } from "./observability/health-route.ts";
import { checkReadiness } from "./observability/readiness.ts";
import { failUnlaunched } from "./execution/unlaunched.ts";

// Longer than any create takes from recording its execution to handing it to the engine.
const UNLAUNCHED_MARGIN_MS = 30_000;

export const ALOFT_VERSION = "0.1.0";
const VERSION = { version: ALOFT_VERSION, build: "aloft", buildTime: "" };

export interface AloftOptions {
  /** Task plugins besides the built-in echo and local-process plugins; they are asked first. */
  plugins?: TaskPlugin[];
  log?: Logger;
}

export interface Aloft {
  server: AdminServer;
  /** Resolves when the database, engine and scheduler are up. */
  ready: Promise<AdminContext>;
  /** The server's database once ready (health, fault drills such as `crashWorker`). */
  readonly database: Database | undefined;
  close(): Promise<void>;
}

function signingSecret(dataDir: string): string {
  const path = join(dataDir, "signing-secret");
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  const secret = randomBytes(32).toString("hex");
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}

export async function startAloft(config: AloftConfig, options: AloftOptions = {}): Promise<Aloft> {
  const log = options.log ?? pino({ level: config.logLevel });
  mkdirSync(config.dataDir, { recursive: true });
  const storeUri = config.storage ?? pathToFileURL(join(config.dataDir, "blobs")).toString();
  // The store keeps this object; its base URL is completed once the port is known (port 0 picks one).
  const signing = { baseUrl: `${config.publicUrl ?? `http://${config.host}:${config.port || 1}`}/blobs`, secret: signingSecret(config.dataDir) };
  let resolveCtx!: (c: AdminContext) => void;
  let rejectCtx!: (e: unknown) => void;
  const ctxPromise = new Promise<AdminContext>((res, rej) => ((resolveCtx = res), (rejectCtx = rej)));
  ctxPromise.catch(() => {});
  const metrics = new ServerMetrics();
  const reporter = new ExecutionReporter(log, metrics);
  const listeners: PhaseListener[] = [reporter.onPhase];
  const onPhase: PhaseListener = (e, p) => listeners.forEach((l) => l(e, p));
  let scheduler: Scheduler | undefined;
  // A full or read-only store answers RESOURCE_EXHAUSTED / UNAVAILABLE naming the blob store, never a host path.
  const blobStore = withStoreFaults(createBlobStore(storeUri, { signing }));
  let db: Database | undefined;
  let engine: Engine | undefined;
  let startError: unknown;
  const auth = config.auth.enabled
    ? await createAuthService({ config: config.auth, context: ctxPromise, issuerUrl: (config.publicUrl ?? `http://${config.host}:${config.port}`).replace(/\/+$/, ""), keyFile: join(config.dataDir, "auth-signing-key.json"), log })
    : undefined;
  const server = await startAdminServer({
    host: config.host,
    port: config.port,
    maxMessageBytes: config.maxMessageBytes,
    maxUploadBytes: config.maxUploadBytes,
    maxConcurrentUploads: config.maxConcurrentUploads,
    frontDoor: {
      // The public URL's host is how clients name this server, so it is always allowed.
      allowedHosts: [...config.allowedHosts, ...(config.publicUrl ? [new URL(config.publicUrl).hostname.toLowerCase().replace(/^\[|\]$/g, "")] : [])],
      allowedOrigins: config.allowedOrigins,
    },
    context: ctxPromise,
    routes: [healthRoute({ readiness: () => checkReadiness({ db, engine, startError }), metrics })],
    hooks: { onExecutionPhase: onPhase, onLaunchPlanActivation: (key, active) => scheduler?.activationChanged(key, active) },
    ...(storeUri.startsWith("file:") ? { blobs: { store: blobStore, signing } } : {}),
    log,
    version: VERSION,
    consoleDir: consoleAssetsDir,
    ...(auth ? { auth } : {}),
  });
  if (auth && !config.publicUrl) auth.issuer.url = server.url;
  signing.baseUrl = `${(config.publicUrl ?? server.url).replace(/\/+$/, "")}/blobs`;

  const ready = (async () => {
    // Loaded after the port is open: the engine (and PGlite) take a while to import.
    const { createEngine, engineMigrations, openDatabase, catalogMigrations, DataCatalog, SqlCatalogStorage } = await import("@aloft/engine");
    db = await openDatabase({
      // A long-running server trades ~50 MiB for PGlite's optimized WASM (~20% less CPU per statement).
      ...(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: join(config.dataDir, "db"), optimizeWasm: true }),
      migrations: [...engineMigrations, ...catalogMigrations, ...serverMigrations, ...authMigrations],
      onWarning: (message, err) => log.warn({ err }, message),
    });
    metrics.watchDatabase(db.health);
    // The data catalog lives in the server's database: cached tasks hit across executions and restarts.
    const catalog = new DataCatalog(new SqlCatalogStorage(db));
    const layout = new DataLayout({ base: storeUri.split("?")[0]! });
    let ctx!: AdminContext;
    const children = new ChildExecutions();
    engine = createEngine({
      store: db,
      blobStore,
      // Container tasks (flytekit's pyflyte-execute) run as local processes unless another plugin takes them.
      plugins: [
        echoPlugin,
        recoveredOutputsPlugin,
        ...(options.plugins ?? []),
        localProcessPlugin({
          workDir: join(config.dataDir, "task-runs"),
          envAllow: config.taskEnvAllow,
          ...(config.taskSecretsDir ? { secretsDir: config.taskSecretsDir } : {}),
          keepFailedWorkDirs: config.keepFailedTaskDirs,
        }),
      ],
      events: adminEventSink(() => ctx, onPhase, children, (events, results) => metrics.eventsApplied(events, results)),
      launchPlans: launchPlanResolver(() => ctx, children),
      metadataPrefix: `${layout.base}/metadata/propeller`,
      rawOutputPrefix: layout.rawDataPrefix,
      catalog,
      onError: (err) => log.error({ err }, "engine error"),
      onPause: {
        paused: (fault) => log.warn({ store: fault.store, code: fault.code }, `engine paused: ${fault.message}`),
        resumed: (pausedMs) => log.info({ pausedMs }, "engine resumed"),
      },
    });
    ctx = {
      db: db.typed<AdminTables>(),
      blobs: blobStore,
      layout,
      launcher: engineLauncher(engine, reporter),
      cache: catalog.byKey(),
      domains: config.domains.map((d) => ({ id: d, name: d })),
      log,
      now: () => new Date(),
      version: VERSION,
    };
    for (const p of config.projects) {
      await ctx.db.insertInto("admin_projects").values({ identifier: p, name: p, description: "", labels: null, state: 0, org: "", created_at: new Date(), updated_at: new Date() }).onConflict((oc) => oc.column("identifier").doNothing()).execute();
    }
    if (config.webhooks.length > 0) listeners.push(webhookNotifier(config.webhooks, log));
    await engine.start();
    const live = engine;
    metrics.attach({ engine: () => ({ ...live.stats(), paused: live.pausedBy !== undefined }) });
    // No create of this process is in flight yet: every UNDEFINED record the engine does not hold is a leftover.
    await failUnlaunched(ctx, engine, new Date(), reporter);
    // A create whose launch failed while the database was away could not mark its record then; it is marked once the
    // database is back (past a margin for creates still on their way to the engine).
    db.health.onChange((reachable, fault) => {
      if (!reachable) {
        log.warn({ code: fault?.code }, fault?.message ?? "database unreachable");
        return;
      }
      log.info("database reachable again");
      void failUnlaunched(ctx, live, new Date(Date.now() - UNLAUNCHED_MARGIN_MS), reporter).catch((err) => log.warn({ err }, "could not mark unlaunched executions"));
    });
    scheduler = new Scheduler(ctx);
    listeners.push((e) => scheduler?.executionPhaseChanged(e));
    await scheduler.start();
    resolveCtx(ctx);
    if (auth) await bootstrapAdminKey(auth, config.dataDir, log);
    return ctx;
  })();
  ready.catch((e) => {
    startError = e;
    log.error({ err: e }, "aloft failed to start");
    rejectCtx(e);
  });
  return {
    server,
    ready,
    get database() {
      return db;
    },
    async close() {
      await ready.catch(() => undefined);
      await scheduler?.stop();
      await server.close();
      await auth?.close();
      await engine?.stop();
      await db?.close();
      metrics.close();
    },
  };
}
