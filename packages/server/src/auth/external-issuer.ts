// Access tokens from an external OIDC identity provider: the issuer's JWKS (discovered from its metadata unless
// configured) is fetched and cached by jose, which also refetches it (rate-limited) when a token names a key it
// has not seen, so key rotation works and a key not in the JWKS is refused.
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import type { AuthConfig } from "./config.ts";

// Asymmetric algorithms only: `none` and HMAC (whose "key" would be public) are never accepted.
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

export class ExternalIssuer {
  readonly issuer: string;
  readonly #audience: string;
  readonly #jwksUrl: string | undefined;
  #metadata: Promise<Record<string, unknown>> | undefined;
  #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(config: AuthConfig) {
    this.issuer = config.issuer!;
    this.#audience = config.audience!;
    this.#jwksUrl = config.jwksUrl;
  }

  /** The issuer's discovery document (`/.well-known/openid-configuration`), fetched once and kept. */
  metadata(): Promise<Record<string, unknown>> {
    this.#metadata ??= (async () => {
      const res = await fetch(`${this.issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`issuer ${this.issuer}: discovery answered HTTP ${res.status}`);
      return (await res.json()) as Record<string, unknown>;
    })();
    this.#metadata.catch(() => (this.#metadata = undefined));
    return this.#metadata;
  }

  async verify(token: string): Promise<JWTPayload> {
    if (!this.#jwks) {
      const url = this.#jwksUrl ?? (await this.metadata()).jwks_uri;
      if (typeof url !== "string") throw new Error(`issuer ${this.issuer} names no jwks_uri`);
      this.#jwks = createRemoteJWKSet(new URL(url));
    }
    const { payload } = await jwtVerify(token, this.#jwks, { issuer: this.issuer, audience: this.#audience, algorithms: ALGORITHMS, requiredClaims: ["sub", "exp"] });
    return payload;
  }
}
