// `aloft start`: the whole control plane in one process (API server, engine, scheduler, blob store, embedded
// database) until SIGINT or SIGTERM.
import { UsageError, type Command } from "../command.ts";

const usage = `Usage: aloft start [--config aloft.json] [options]

Starts the Aloft server: Flyte's AdminService, DataProxyService and SignalService over gRPC, gRPC-Web, Connect
and REST (/api/v1/...) on one port, with the execution engine, the scheduler and the blob store in-process.

Configuration comes from defaults, then the JSON file (--config or ALOFT_CONFIG), then ALOFT_* environment
variables, then flags:
  --host <addr>            listen address (ALOFT_HOST, default 127.0.0.1)
  --port <n>               port (ALOFT_PORT, default 8088)
  --data-dir <dir>         embedded database, blobs and signing secret (ALOFT_DATA_DIR, default ./.aloft)
  --database-url <url>     use PostgreSQL instead of the embedded database (ALOFT_DATABASE_URL)
  --storage <uri>          blob store, file:///… or s3://bucket?endpoint=… (ALOFT_STORAGE, default <data-dir>/blobs)
  --public-url <url>       URL clients reach this server at, for signed URLs (ALOFT_PUBLIC_URL)
  --domains <a,b,c>        domains (ALOFT_DOMAINS, default development,staging,production)
  --projects <a,b>         projects created at start (ALOFT_PROJECTS, default flytesnacks)
  --max-message-bytes <n>  largest request accepted (ALOFT_MAX_MESSAGE_BYTES, default 33554432)
  --max-upload-bytes <n>   largest upload to a signed blob URL; uploads stream to the store
                           (ALOFT_MAX_UPLOAD_BYTES, default 5368709120)
  --max-concurrent-uploads <n>  uploads streamed at once, more get 429 (ALOFT_MAX_CONCURRENT_UPLOADS, default 8)
  --allowed-hosts <a,b>    host names clients may use besides loopback names, IP literals, this machine's name
                           and --public-url's host; *.example.com for subdomains (ALOFT_ALLOWED_HOSTS)
  --allowed-origins <a,b>  origins of web pages allowed to call the API (CORS), e.g. https://console.example.com;
                           other cross-origin requests are refused (ALOFT_ALLOWED_ORIGINS, default none)
  --webhooks <json>        [{"url": "...", "phases": ["SUCCEEDED","FAILED"]}] (ALOFT_WEBHOOKS)
  --log-level <level>      pino level (ALOFT_LOG_LEVEL, default info)
  --task-env-allow <a,B*>  variables of this environment task processes see, names or prefixes ending in *
                           (ALOFT_TASK_ENV_ALLOW, default PATH,HOME,USER,LANG,LC_*,TZ,PYTHON*)
  --task-secrets-dir <dir> secrets requested by tasks, read from <dir>/<group>/<key> (ALOFT_TASK_SECRETS_DIR)
  --kubernetes <json>      run tasks as Kubernetes pods: {"namespace": "{{project}}-{{domain}}", "route":
                           {"taskTypes": ["python-task"]}, …} (ALOFT_KUBERNETES, or a "kubernetes" object in the
                           config file; off by default; docs/kubernetes.md lists every setting)
  --keep-failed-task-dirs <true|false>
                           keep a failed attempt's working directory under <data-dir>/task-runs
  --auth                   require an API key or access token on every call, with project roles and an audit log
                           (ALOFT_AUTH=true; "auth": {issuer, audience, orgAdmins, …} in the config file for an
                           external OIDC issuer); the first start writes an admin key to <data-dir>/admin-key.
                           See docs/security.md`;

export const start: Command = {
  name: "start",
  usage,
  async run(argv, io) {
    // Imported when the command runs, so other commands do not pay for loading the server.
    const { loadConfig, startAloft } = await import("@aloft/server");
    const { serverTaskPlugins } = await import("../remote/server-plugins.ts");
    let config;
    try {
      config = loadConfig({ argv, env: process.env });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const t0 = performance.now();
    // Task processes inherit only the allow-listed variables of this server's environment.
    const plugins = await serverTaskPlugins({ taskEnvAllow: config.taskEnvAllow, dataDir: config.dataDir, secretsDir: config.taskSecretsDir, kubernetes: config.kubernetes, warn: (m) => io.err(m) });
    const aloft = await startAloft(config, { plugins });
    io.out(`Aloft listening on ${aloft.server.url} (gRPC, gRPC-Web, Connect and REST at /api/v1); data in ${config.dataDir}`);
    let stopping = false;
    const stopped = new Promise<number>((resolve) => {
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        io.err(`received ${signal}, shutting down`);
        aloft.close().then(
          () => resolve(0),
          (e) => {
            io.err(`shutdown failed: ${(e as Error).message}`);
            resolve(1);
          },
        );
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
    });
    try {
      await aloft.ready;
      io.out(`ready in ${Math.round(performance.now() - t0)} ms (${config.databaseUrl ? "PostgreSQL" : "embedded database"})`);
    } catch (e) {
      await aloft.close().catch(() => undefined);
      throw new Error(`failed to start: ${(e as Error).message}`);
    }
    return stopped;
  },
};
