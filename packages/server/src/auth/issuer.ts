// The built-in token issuer for machines and CI (OAuth2 client credentials): an API key's id is the client id and
// the key itself the client secret; the token is a short-lived ES256 JWT whose subject is the key. Its signing key
// lives in the data directory (0600), so tokens survive a restart; with no directory it lives in memory.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type JWTPayload, type CryptoKey } from "jose";

export const BUILT_IN_AUDIENCE = "aloft";
const ALG = "ES256";

export class BuiltInIssuer {
  /** The `iss` of tokens issued here; completed once the server's URL is known (see server.ts). */
  url: string;
  readonly #privateKey: CryptoKey;
  readonly #publicKey: CryptoKey;
  readonly #publicJwk: JWK;

  private constructor(url: string, privateKey: CryptoKey, publicKey: CryptoKey, publicJwk: JWK) {
    this.url = url;
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
    this.#publicJwk = publicJwk;
  }

  static async create(url: string, keyFile?: string): Promise<BuiltInIssuer> {
    let privateJwk: JWK;
    if (keyFile && existsSync(keyFile)) {
      privateJwk = JSON.parse(readFileSync(keyFile, "utf8")) as JWK;
    } else {
      const { privateKey } = await generateKeyPair(ALG, { extractable: true });
      privateJwk = { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString("hex"), alg: ALG, use: "sig" };
      if (keyFile) writeFileSync(keyFile, JSON.stringify(privateJwk), { mode: 0o600 });
    }
    const { d: _private, ...publicJwk } = privateJwk;
    return new BuiltInIssuer(url, (await importJWK(privateJwk, ALG)) as CryptoKey, (await importJWK(publicJwk, ALG)) as CryptoKey, publicJwk);
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.#publicJwk] };
  }

  async issue(subject: string, lifetimeSeconds: number, scope: string): Promise<string> {
    return new SignJWT({ scope })
      .setProtectedHeader({ alg: ALG, kid: this.#publicJwk.kid!, typ: "at+jwt" })
      .setIssuer(this.url)
      .setAudience(BUILT_IN_AUDIENCE)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(`${lifetimeSeconds}s`)
      .setJti(randomBytes(12).toString("hex"))
      .sign(this.#privateKey);
  }

  /** Verifies signature (ES256 only, the one key), issuer, audience and expiry; throws jose's errors otherwise. */
  async verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, async (header) => {
      if (header.kid !== this.#publicJwk.kid) throw new Error(`unknown key id ${JSON.stringify(header.kid ?? null)}`);
      return this.#publicKey;
    }, { issuer: this.url, audience: BUILT_IN_AUDIENCE, algorithms: [ALG], requiredClaims: ["sub", "exp"] });
    return payload;
  }
}
