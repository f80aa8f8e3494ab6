// A task's secret requests (security_context.secrets) as references to Kubernetes Secrets, laid out as
// Flyte's secret webhook lays them out, so flytekit's `current_context().secrets.get(group, key)` finds them:
// an environment variable `<prefix><GROUP>_<KEY>` (from secretKeyRef) or a file `<mountDir>/<group>/<key>`
// (from a secret volume). The engine builds the pod itself, so no admission webhook is needed.
import type { V1EnvVar, V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import { core } from "@aloft/idl";
import { InvalidArgumentError } from "../../errors.ts";
import { toDns1123 } from "./names.ts";
import { createHash } from "node:crypto";

export interface SecretMounts {
  env: V1EnvVar[];
  volumes: V1Volume[];
  volumeMounts: V1VolumeMount[];
}

const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

export function secretMounts(secrets: readonly core.Secret[], options: { envPrefix: string; mountDir: string }, field = "security_context.secrets"): SecretMounts {
  const out: SecretMounts = { env: [], volumes: [], volumeMounts: [] };
  if (secrets.length === 0) return out;
  const volumes = new Map<string, V1Volume>();
  let usesFiles = false;
  let usesEnv = false;
  secrets.forEach((s, i) => {
    const f = `${field}[${i}]`;
    if (!SECRET_NAME.test(s.group)) throw new InvalidArgumentError(`${f}.group`, `${JSON.stringify(s.group)} is not a Kubernetes Secret name (lower-case DNS-1123 subdomain)`);
    if (s.key !== "" && !SECRET_KEY.test(s.key)) throw new InvalidArgumentError(`${f}.key`, `${JSON.stringify(s.key)} is not a valid Secret key`);
    if (s.mountRequirement === core.Secret_MountType.ENV_VAR) {
      if (s.key === "") throw new InvalidArgumentError(`${f}.key`, "a secret mounted as an environment variable needs a key");
      usesEnv = true;
      out.env.push({ name: envName(options.envPrefix, s.group, s.key), valueFrom: { secretKeyRef: { name: s.group, key: s.key } } });
      return;
    }
    // ANY and FILE: a file, as Flyte's Kubernetes secret injector does.
    usesFiles = true;
    let v = volumes.get(s.group);
    if (!v) {
      v = { name: volumeName(s.group), secret: { secretName: s.group } };
      volumes.set(s.group, v);
      out.volumes.push(v);
      out.volumeMounts.push({ name: v.name, mountPath: `${options.mountDir.replace(/\/+$/, "")}/${s.group}`, readOnly: true });
    }
    // A request without a key mounts the whole Secret; with keys, only the keys asked for.
    if (s.key !== "") {
      if (v.secret!.items !== undefined || !anyWhole(secrets, s.group)) v.secret!.items = [...(v.secret!.items ?? []), { key: s.key, path: s.key }];
    }
  });
  if (usesEnv) out.env.push({ name: "FLYTE_SECRETS_ENV_PREFIX", value: options.envPrefix });
  if (usesFiles) out.env.push({ name: "FLYTE_SECRETS_DEFAULT_DIR", value: options.mountDir }, { name: "FLYTE_SECRETS_FILE_PREFIX", value: "" });
  return out;
}

/** flytekit reads `<prefix><GROUP>_<KEY>` with group and key upper-cased. */
export function envName(prefix: string, group: string, key: string): string {
  return `${prefix}${group}_${key}`.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
}

function anyWhole(secrets: readonly core.Secret[], group: string): boolean {
  return secrets.some((s) => s.group === group && s.key === "" && s.mountRequirement !== core.Secret_MountType.ENV_VAR);
}

function volumeName(group: string): string {
  const base = toDns1123(group).slice(0, 40);
  return `secret-${base}-${createHash("sha256").update(group).digest("hex").slice(0, 8)}`;
}
