import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { core } from "@aloft/idl";
import { secretMounts } from "./secrets.ts";

const M = core.Secret_MountType;
const secret = (group: string, key: string, mountRequirement = M.ANY) => create(core.SecretSchema, { group, key, mountRequirement });
const opts = { envPrefix: "_FSEC_", mountDir: "/etc/flyte/secrets" };

describe("secret mounts", () => {
  it("mounts an ENV_VAR secret as an environment variable named as flytekit reads it", () => {
    const m = secretMounts([secret("db-creds", "password", M.ENV_VAR)], opts);
    expect(m.env).toEqual([
      { name: "_FSEC_DB_CREDS_PASSWORD", valueFrom: { secretKeyRef: { name: "db-creds", key: "password" } } },
      { name: "FLYTE_SECRETS_ENV_PREFIX", value: "_FSEC_" },
    ]);
    expect(m.volumes).toEqual([]);
  });

  it("mounts FILE and ANY secrets as files under <mountDir>/<group>/<key>, one volume per Secret", () => {
    const m = secretMounts([secret("api", "token", M.FILE), secret("api", "cert"), secret("other", "")], opts);
    expect(m.volumes).toHaveLength(2);
    expect(m.volumes[0]!.secret).toEqual({ secretName: "api", items: [{ key: "token", path: "token" }, { key: "cert", path: "cert" }] });
    expect(m.volumes[1]!.secret).toEqual({ secretName: "other" });
    expect(m.volumeMounts.map((v) => v.mountPath)).toEqual(["/etc/flyte/secrets/api", "/etc/flyte/secrets/other"]);
    expect(m.volumeMounts.every((v) => v.readOnly)).toBe(true);
    expect(m.env).toContainEqual({ name: "FLYTE_SECRETS_DEFAULT_DIR", value: "/etc/flyte/secrets" });
    for (const v of m.volumes) expect(v.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it("rejects a group that cannot name a Secret and an env secret without a key, naming the field", () => {
    expect(() => secretMounts([secret("My_Group", "k")], opts)).toThrow(/security_context\.secrets\[0\]\.group/);
    expect(() => secretMounts([secret("ok", "k"), secret("g", "", M.ENV_VAR)], opts)).toThrow(/security_context\.secrets\[1\]\.key.*needs a key/);
  });

  it("adds nothing for a task without secrets", () => {
    expect(secretMounts([], opts)).toEqual({ env: [], volumes: [], volumeMounts: [] });
  });
});
