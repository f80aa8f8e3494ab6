// The `auth` section of the server's configuration. Off by default (the local sandbox); `--auth` (or
// `"auth": true` / `"auth": {...}` in the config file) turns it on. Unknown keys and malformed values are errors
// naming the key, as everywhere in the configuration.
import { InvalidArgumentError } from "../errors.ts";

export interface AuthConfig {
  enabled: boolean;
  /** An external OIDC issuer whose access tokens are accepted (its JWKS is discovered from the issuer's metadata). */
  issuer: string | undefined;
  /** The audience external tokens must carry (required with `issuer`). */
  audience: string | undefined;
  /** The issuer's JWKS URL, when it is not the one its discovery document names. */
  jwksUrl: string | undefined;
  /** The token claim holding the caller's groups (granted roles as `group:<name>`). */
  groupsClaim: string;
  /** Principals that are organization admins: `user:<sub>`, `group:<name>` or `key:<id>`. */
  orgAdmins: string[];
  /** Lifetime of access tokens from the built-in token endpoint (client credentials), in seconds. */
  tokenLifetimeSeconds: number;
  /** Client id flytekit and flytectl use for browser logins with the external issuer (PublicClientConfig). */
  publicClientId: string;
  /** Scopes clients ask for (PublicClientConfig). */
  scopes: string[];
}

export const defaultAuthConfig = (): AuthConfig => ({
  enabled: false,
  issuer: undefined,
  audience: undefined,
  jwksUrl: undefined,
  groupsClaim: "groups",
  orgAdmins: [],
  tokenLifetimeSeconds: 3600,
  publicClientId: "flytectl",
  scopes: ["all"],
});

const PRINCIPAL = /^(user|group|key):[^\s]+$/;

/** Reads the `auth` value: a boolean (flag, environment: "true"/"false") or an object (config file). */
export function parseAuthConfig(current: AuthConfig, value: unknown, where: string): AuthConfig {
  const bad = (why: string) => new InvalidArgumentError(`${where}: ${why}`);
  if (value === true || value === "true") return { ...current, enabled: true };
  if (value === false || value === "false") return { ...current, enabled: false };
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("expected true, false or an object with enabled, issuer, audience, …");
  const out = { ...current, enabled: true };
  for (const [k, v] of Object.entries(value)) {
    const field = `${where}.${k}`;
    switch (k) {
      case "enabled":
        if (typeof v !== "boolean") throw new InvalidArgumentError(`${field}: expected true or false`);
        out.enabled = v;
        break;
      case "issuer":
      case "jwksUrl":
        if (typeof v !== "string" || !/^https?:\/\/[^/]/.test(v)) throw new InvalidArgumentError(`${field}: expected an http(s) URL`);
        out[k] = v.replace(/\/+$/, "");
        break;
      case "audience":
      case "groupsClaim":
      case "publicClientId":
        if (typeof v !== "string" || v === "") throw new InvalidArgumentError(`${field}: expected a non-empty string`);
        out[k] = v;
        break;
      case "orgAdmins":
      case "scopes":
        if (!Array.isArray(v) || v.some((s) => typeof s !== "string" || s === "")) throw new InvalidArgumentError(`${field}: expected a list of strings`);
        if (k === "orgAdmins") {
          const wrong = (v as string[]).find((s) => !PRINCIPAL.test(s));
          if (wrong !== undefined) throw new InvalidArgumentError(`${field}: ${JSON.stringify(wrong)} is not user:<subject>, group:<name> or key:<id>`);
        }
        out[k] = [...(v as string[])];
        break;
      case "tokenLifetimeSeconds":
        if (typeof v !== "number" || !Number.isInteger(v) || v < 60 || v > 86_400) throw new InvalidArgumentError(`${field}: expected whole seconds between 60 and 86400`);
        out.tokenLifetimeSeconds = v;
        break;
      default:
        throw new InvalidArgumentError(`${field}: unknown key (known: enabled, issuer, audience, jwksUrl, groupsClaim, orgAdmins, tokenLifetimeSeconds, publicClientId, scopes)`);
    }
  }
  if (out.issuer !== undefined && out.audience === undefined) throw bad("audience is required with issuer (tokens for other audiences must be refused)");
  return out;
}
