// Secrets a task reads through its context (`ctx.secrets.get(group, key)`), as flytekit's
// `current_context().secrets.get(group, key)`: only those the task declares (`secrets: [{ group, key }]`), looked up
// as flytekit looks them up — the environment variable `<prefix><GROUP>[_<VERSION>]_<KEY>` (prefix
// FLYTE_SECRETS_ENV_PREFIX, default `_FSEC_`), then the file `<dir>/<group>[/<version>]/<file prefix><key>` (dir
// FLYTE_SECRETS_DEFAULT_DIR, default /etc/secrets). On a server the values come with the task's request, read from
// the server's secrets directory; they never enter inputs, outputs, events or logs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SecretRequest } from "../task-entity.ts";

export interface TaskSecrets {
  /** The value of a secret the task declared; throws naming it when it is not declared or not found. */
  get(group: string, key?: string): string;
  /** The environment variable name flytekit would read it from (for tools that read secrets themselves). */
  envName(group: string, key?: string): string;
}

/** A declared secret that cannot be found (its name in the message, never a value). */
export class SecretNotFoundError extends Error {
  readonly code = "SecretNotFound";
  constructor(message: string) {
    super(message);
    this.name = "SecretNotFoundError";
  }
}

export interface SecretSources {
  /** Variables to look in (the process environment, or the values a server sent with the task). */
  env: Readonly<Record<string, string | undefined>>;
  /** Whether files under FLYTE_SECRETS_DEFAULT_DIR may be read (local runs; a server sends values instead). */
  files: boolean;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

export function secretEnvName(env: SecretSources["env"], group: string, key = "", version = ""): string {
  const prefix = env.FLYTE_SECRETS_ENV_PREFIX ?? "_FSEC_";
  return `${prefix}${[group, version, key].filter((p) => p !== "").join("_").toUpperCase()}`;
}

export function taskSecrets(declared: readonly SecretRequest[] | undefined, sources: SecretSources, taskName: string): TaskSecrets {
  const find = (group: string, key: string) => declared?.find((s) => s.group === group && (s.key ?? "") === key);
  return {
    envName: (group, key = "") => secretEnvName(sources.env, group, key),
    get(group, key = "") {
      const what = `secret ${group}${key ? `/${key}` : ""}`;
      const d = find(group, key);
      if (!d) throw new SecretNotFoundError(`task "${taskName}" did not request ${what}: add { group: ${JSON.stringify(group)}${key ? `, key: ${JSON.stringify(key)}` : ""} } to its secrets`);
      const version = "";
      const fromEnv = sources.env[secretEnvName(sources.env, group, key, version)];
      if (fromEnv !== undefined) return fromEnv;
      if (sources.files && NAME.test(group) && (key === "" || NAME.test(key)) && !group.startsWith(".") && !key.startsWith(".")) {
        const dir = sources.env.FLYTE_SECRETS_DEFAULT_DIR ?? "/etc/secrets";
        const file = join(dir, group.toLowerCase(), ...(version ? [version] : []), `${sources.env.FLYTE_SECRETS_FILE_PREFIX ?? ""}${key.toLowerCase()}`);
        try {
          return readFileSync(file, "utf8");
        } catch {
          throw new SecretNotFoundError(`${what} is not set: neither ${secretEnvName(sources.env, group, key, version)} in the environment nor the file ${file}`);
        }
      }
      throw new SecretNotFoundError(`${what} was not provided to the task`);
    },
  };
}
