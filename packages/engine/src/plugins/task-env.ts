// The environment of a task process, built from configuration and never copied whole from the server's own
// (which holds the database URL, cloud credentials and the like): the variables an allow-list names, then what
// the embedding code adds, the task's declared env, its declared secrets, the engine's FLYTE_INTERNAL_*
// variables, and the attempt's private temporary directory.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { core } from "@aloft/idl";
import { InvalidArgumentError } from "../errors.ts";

/** Server variables a task process sees unless configured otherwise. */
export const DEFAULT_TASK_ENV_ALLOW: readonly string[] = ["PATH", "HOME", "USER", "LANG", "LC_*", "TZ", "PYTHON*"];

/** The prefix flytekit reads secrets from the environment with (its `FLYTE_SECRETS_ENV_PREFIX` default). */
export const SECRET_ENV_PREFIX = "_FSEC_";

const PATTERN = /^[A-Za-z_][A-Za-z0-9_]*\*?$/;

/** Checks an allow-list: names, or name prefixes ending in `*`; the error names `field` and the entry. */
export function checkTaskEnvAllow(allow: readonly string[], field: string): void {
  allow.forEach((p, i) => {
    if (!PATTERN.test(p)) throw new InvalidArgumentError(`${field}[${i}]`, `"${p}" is not a variable name or a name prefix ending in *`);
  });
}

/** The variables of `from` that `allow` names (exactly, or by a prefix ending in `*`). */
export function allowedEnv(from: Readonly<Record<string, string | undefined>>, allow: readonly string[]): Record<string, string> {
  const exact = new Set(allow.filter((p) => !p.endsWith("*")));
  const prefixes = allow.filter((p) => p.endsWith("*")).map((p) => p.slice(0, -1));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(from)) {
    if (v !== undefined && (exact.has(k) || prefixes.some((p) => k.startsWith(p)))) out[k] = v;
  }
  return out;
}

/** A declared secret that the configured secrets directory does not hold. */
export class MissingSecretError extends Error {}

/**
 * The task's declared secrets (`security_context.secrets`) as flytekit reads them from the environment:
 * `_FSEC_<GROUP>[_<GROUP_VERSION>]_<KEY>`, each read from `<secretsDir>/<group>/<key>` (the layout of
 * Flyte's file-mounted secrets). A declared secret that is not there is a MissingSecretError naming it.
 */
export function secretEnv(task: core.TaskTemplate, secretsDir: string | undefined): Record<string, string> {
  const secrets = task.securityContext?.secrets ?? [];
  if (secrets.length === 0) return {};
  if (!secretsDir) throw new MissingSecretError(`the task requests secret ${secrets[0]!.group}/${secrets[0]!.key}, and no secrets directory is configured (taskSecretsDir)`);
  const out: Record<string, string> = {};
  for (const s of secrets) {
    if (!/^[A-Za-z0-9_.-]+$/.test(s.group) || !/^[A-Za-z0-9_.-]*$/.test(s.key) || s.group.startsWith(".") || s.key.startsWith(".")) {
      throw new MissingSecretError(`secret ${JSON.stringify(`${s.group}/${s.key}`)} is not a valid group/key name`);
    }
    const path = join(secretsDir, s.group, s.key);
    let value: string;
    try {
      value = readFileSync(path, "utf8");
    } catch {
      throw new MissingSecretError(`secret ${s.group}/${s.key} is not in the secrets directory`);
    }
    const name = [s.group, s.groupVersion, s.key].filter((p) => p !== "").map((p) => p.toUpperCase()).join("_");
    out[`${SECRET_ENV_PREFIX}${name}`] = value;
  }
  return out;
}

export interface TaskEnvParts {
  /** The server's own environment, of which only `allow` is passed on. */
  server: Readonly<Record<string, string | undefined>>;
  allow: readonly string[];
  /** Added by the embedding code (e.g. a PATH that finds pyflyte-execute). */
  extra?: Readonly<Record<string, string>>;
  task: core.TaskTemplate;
  secretsDir?: string | undefined;
  /** The engine's FLYTE_INTERNAL_* variables. */
  engine: Readonly<Record<string, string>>;
  /** The attempt's private temporary directory (TMPDIR, TMP, TEMP). */
  tmpDir: string;
}

export function taskEnvironment(p: TaskEnvParts): Record<string, string> {
  const container = p.task.target.case === "container" ? p.task.target.value.env : [];
  return {
    ...allowedEnv(p.server, p.allow),
    ...p.extra,
    ...Object.fromEntries(container.map((kv) => [kv.key, kv.value])),
    ...secretEnv(p.task, p.secretsDir),
    ...p.engine,
    TMPDIR: p.tmpDir,
    TMP: p.tmpDir,
    TEMP: p.tmpDir,
  };
}
