// The one configuration loader for `aloft start`: defaults, then a JSON file, then ALOFT_* environment variables,
// then command-line flags, each overriding the one before. Unknown keys and malformed values are errors naming
// where they came from; nothing is guessed.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { checkTaskEnvAllow, DEFAULT_TASK_ENV_ALLOW, parseKubernetesConfig, type KubernetesConfig } from "@aloft/engine";
import { InvalidArgumentError } from "./errors.ts";
import { checkPolicy } from "./transport/front-door.ts";
import { defaultAuthConfig, parseAuthConfig, type AuthConfig } from "./auth/config.ts";

export interface AloftConfig {
  host: string;
  port: number;
  /** Where the embedded database, blobs and the signing secret live. */
  dataDir: string;
  /** postgres:// URL; when set, PostgreSQL is used instead of the embedded PGlite. */
  databaseUrl: string | undefined;
  /** Blob store URI (`file://…` or `s3://…`); default `file://<dataDir>/blobs`. */
  storage: string | undefined;
  /** URL clients use to reach this server (for signed URLs); default `http://<host>:<port>`. */
  publicUrl: string | undefined;
  domains: string[];
  /** Projects created at first start (flyte-binary creates `flytesnacks`). */
  projects: string[];
  maxMessageBytes: number;
  /** Largest upload to a signed blob URL, in bytes. */
  maxUploadBytes: number;
  /** Uploads to signed blob URLs streamed at once; more are refused with 429. */
  maxConcurrentUploads: number;
  /** Host names clients may use besides loopback names, IP literals, this machine's name and publicUrl's host. */
  allowedHosts: string[];
  /** Origins of web pages allowed to call the API cross-origin (CORS); none by default. */
  allowedOrigins: string[];
  /** Webhooks called with the execution as JSON when an execution reaches one of `phases`. */
  webhooks: { url: string; phases: string[] }[];
  logLevel: string;
  /** Variables of the server's environment task processes see: names, or prefixes ending in `*`. */
  taskEnvAllow: string[];
  /** Where secrets requested by tasks are read from (`<dir>/<group>/<key>`). */
  taskSecretsDir: string | undefined;
  /** Keep the working directory of a failed task attempt under `<dataDir>/task-runs` (renamed `aloft-kept-…`). */
  keepFailedTaskDirs: boolean;
  /** Authentication, project roles and the audit log (auth/config.ts); off by default, `--auth` turns it on. */
  auth: AuthConfig;
  /**
   * Runs routed tasks as Kubernetes pods (off when unset): kubeconfig or in-cluster, namespace, which task
   * types, projects or tasks go to pods, pod templates, resource defaults, interruptible placement — the
   * engine's KubernetesConfig (packages/engine/src/plugins/kubernetes/config.ts).
   */
  kubernetes: KubernetesConfig | undefined;
}

export const defaultConfig = (): AloftConfig => ({
  host: "127.0.0.1",
  port: 8088,
  dataDir: resolve(".aloft"),
  databaseUrl: undefined,
  storage: undefined,
  publicUrl: undefined,
  domains: ["development", "staging", "production"],
  projects: ["flytesnacks"],
  maxMessageBytes: 32 * 1024 * 1024,
  maxUploadBytes: 5 * 1024 * 1024 * 1024,
  maxConcurrentUploads: 8,
  allowedHosts: [],
  allowedOrigins: [],
  webhooks: [],
  logLevel: "info",
  taskEnvAllow: [...DEFAULT_TASK_ENV_ALLOW],
  taskSecretsDir: undefined,
  keepFailedTaskDirs: false,
  auth: defaultAuthConfig(),
  kubernetes: undefined,
});

type Key = keyof AloftConfig;
const kinds: Record<Key, "string" | "int" | "bool" | "list" | "webhooks" | "optional" | "auth" | "kubernetes"> = {
  host: "string",
  port: "int",
  dataDir: "string",
  databaseUrl: "optional",
  storage: "optional",
  publicUrl: "optional",
  domains: "list",
  projects: "list",
  maxMessageBytes: "int",
  maxUploadBytes: "int",
  maxConcurrentUploads: "int",
  allowedHosts: "list",
  allowedOrigins: "list",
  webhooks: "webhooks",
  logLevel: "string",
  taskEnvAllow: "list",
  taskSecretsDir: "optional",
  keepFailedTaskDirs: "bool",
  auth: "auth",
  kubernetes: "kubernetes",
};

const envNames: Record<string, Key> = Object.fromEntries(
  (Object.keys(kinds) as Key[]).map((k) => [`ALOFT_${k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`, k]),
);
const flagNames: Record<string, Key> = Object.fromEntries((Object.keys(kinds) as Key[]).map((k) => [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, k]));

function set(config: AloftConfig, key: Key, value: unknown, where: string): void {
  const kind = kinds[key];
  const bad = (why: string) => new InvalidArgumentError(`${where}: ${why}`);
  switch (kind) {
    case "string":
    case "optional":
      if (typeof value !== "string" || value === "") throw bad("expected a non-empty string");
      (config as unknown as Record<string, unknown>)[key] = value;
      return;
    case "int": {
      const n = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isInteger(n) || n < 0) throw bad(`expected a non-negative integer, got ${JSON.stringify(value)}`);
      if (key === "port" && n > 65535) throw bad("port must be at most 65535");
      (config as unknown as Record<string, unknown>)[key] = n;
      return;
    }
    case "bool": {
      const b = value === true || value === "true" ? true : value === false || value === "false" ? false : undefined;
      if (b === undefined) throw bad(`expected true or false, got ${JSON.stringify(value)}`);
      (config as unknown as Record<string, unknown>)[key] = b;
      return;
    }
    case "list": {
      const list = typeof value === "string" ? value.split(",").map((s) => s.trim()).filter(Boolean) : value;
      if (!Array.isArray(list) || list.some((s) => typeof s !== "string" || s === "")) throw bad("expected a list of names (comma-separated in flags and environment)");
      (config as unknown as Record<string, unknown>)[key] = list;
      return;
    }
    case "auth":
      config.auth = parseAuthConfig(config.auth, value, where);
      return;
    case "kubernetes": {
      // A JSON object in the file; JSON text in ALOFT_KUBERNETES and --kubernetes.
      const section = typeof value === "string" ? safeJson(value, where) : value;
      try {
        config.kubernetes = parseKubernetesConfig(section, "kubernetes");
      } catch (e) {
        throw bad((e as Error).message);
      }
      return;
    }
    case "webhooks": {
      const list = typeof value === "string" ? safeJson(value, where) : value;
      if (!Array.isArray(list)) throw bad("expected a list of {url, phases}");
      config.webhooks = list.map((w, i) => {
        if (!w || typeof w !== "object" || typeof (w as { url?: unknown }).url !== "string") throw bad(`webhooks[${i}].url is required`);
        const url = (w as { url: string }).url;
        if (!/^https?:\/\//.test(url)) throw bad(`webhooks[${i}].url must be http(s)`);
        const phases = (w as { phases?: unknown }).phases ?? ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];
        if (!Array.isArray(phases) || phases.some((p) => typeof p !== "string")) throw bad(`webhooks[${i}].phases must be a list of phase names`);
        const extra = Object.keys(w).filter((k) => k !== "url" && k !== "phases");
        if (extra.length > 0) throw bad(`webhooks[${i}] has unknown key ${extra[0]}`);
        return { url, phases: phases as string[] };
      });
      return;
    }
  }
}

function safeJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidArgumentError(`${where}: not valid JSON: ${(e as Error).message}`);
  }
}

export interface LoadConfigOptions {
  argv: string[];
  env: Record<string, string | undefined>;
}

/** Flags: `--port 8089`, `--port=8089`, `--config path.json`. */
export function loadConfig({ argv, env }: LoadConfigOptions): AloftConfig {
  const config = defaultConfig();
  const flags: [Key, string, string][] = [];
  let file = env.ALOFT_CONFIG;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    // `--auth` alone turns authentication on; every other flag takes a value.
    const bare = name === "--auth" && inline === undefined && (argv[i + 1] === undefined || argv[i + 1]!.startsWith("--"));
    const value = bare ? "true" : (inline ?? argv[++i]);
    if (value === undefined) throw new InvalidArgumentError(`flag ${name} needs a value`);
    if (name === "--config") {
      file = value;
      continue;
    }
    const key = flagNames[name];
    if (!key) throw new InvalidArgumentError(`unknown flag ${name} (known: --config, ${Object.keys(flagNames).join(", ")})`);
    flags.push([key, value, `flag ${name}`]);
  }
  if (file) {
    const text = (() => {
      try {
        return readFileSync(file, "utf8");
      } catch (e) {
        throw new InvalidArgumentError(`config file ${file}: ${(e as Error).message}`);
      }
    })();
    if (!file.endsWith(".json")) throw new InvalidArgumentError(`config file ${file}: only JSON files (.json) are supported`);
    const obj = safeJson(text, `config file ${file}`);
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) throw new InvalidArgumentError(`config file ${file}: expected a JSON object`);
    for (const [k, v] of Object.entries(obj)) {
      if (!(k in kinds)) throw new InvalidArgumentError(`config file ${file}: unknown key ${k} (known: ${Object.keys(kinds).join(", ")})`);
      set(config, k as Key, v, `config file ${file}: ${k}`);
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith("ALOFT_") || name === "ALOFT_CONFIG" || value === undefined) continue;
    const key = envNames[name];
    // Other ALOFT_* variables belong to other tools (tests, the CLI); only ours are read here.
    if (key) set(config, key, value, `environment ${name}`);
  }
  for (const [key, value, where] of flags) set(config, key, value, where);
  if (config.databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) throw new InvalidArgumentError(`databaseUrl must be a postgres:// URL`);
  if (config.publicUrl !== undefined && !/^https?:\/\/[^/]/.test(config.publicUrl)) throw new InvalidArgumentError(`publicUrl must be an http(s) URL, got ${JSON.stringify(config.publicUrl)}`);
  if (config.maxConcurrentUploads < 1) throw new InvalidArgumentError("maxConcurrentUploads must be at least 1");
  checkPolicy(config);
  try {
    checkTaskEnvAllow(config.taskEnvAllow, "taskEnvAllow");
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  config.dataDir = resolve(config.dataDir);
  return config;
}
