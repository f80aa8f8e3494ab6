// Who is calling, from the request's `authorization` header (flytekit may name it `flyte-authorization`):
// `Bearer aloft_…` is an API key; any other bearer value must be a JWT from the built-in issuer or the configured
// external one, checked by signature, issuer, audience and expiry. Errors never repeat the credential.
import { Code, ConnectError } from "@connectrpc/connect";
import { decodeJwt, errors as joseErrors } from "jose";
import type { ApiKeys } from "./api-keys.ts";
import { isApiKey } from "./api-keys.ts";
import type { BuiltInIssuer } from "./issuer.ts";
import type { ExternalIssuer } from "./external-issuer.ts";
import type { Principal } from "./principal.ts";

export const AUTH_HEADERS = ["authorization", "flyte-authorization"] as const;

const unauthenticated = (why: string) => new ConnectError(why, Code.Unauthenticated);

export interface Authenticators {
  keys: ApiKeys;
  builtIn: BuiltInIssuer;
  external: ExternalIssuer | undefined;
  groupsClaim: string;
}

export function bearerOf(headers: Headers): string {
  const raw = headers.get(AUTH_HEADERS[0]) ?? headers.get(AUTH_HEADERS[1]);
  if (raw === null) throw unauthenticated("no credentials: send an API key or an access token as `authorization: Bearer …` (the aloft CLI reads ALOFT_API_KEY)");
  const m = /^Bearer\s+(\S+)\s*$/i.exec(raw);
  if (!m) throw unauthenticated("the authorization header must be `Bearer <API key or access token>`");
  return m[1]!;
}

function groupsOf(claim: unknown): string[] {
  if (typeof claim === "string") return [claim];
  return Array.isArray(claim) ? claim.filter((g): g is string => typeof g === "string") : [];
}

function why(e: unknown): string {
  if (e instanceof joseErrors.JWTExpired) return "the token has expired";
  if (e instanceof joseErrors.JWTClaimValidationFailed) return `the token's ${e.claim} claim is not accepted`;
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return "the token's signing algorithm is not accepted";
  if (e instanceof joseErrors.JWKSNoMatchingKey) return "the token is signed with a key the issuer does not publish";
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (e instanceof joseErrors.JOSEError) return `the token is not valid (${e.code})`;
  return `the token is not valid (${(e as Error).message})`;
}

export async function authenticate(headers: Headers, a: Authenticators): Promise<Principal> {
  const token = bearerOf(headers);
  if (isApiKey(token)) {
    const id = await a.keys.verify(token);
    if (id === undefined) throw unauthenticated("API key not recognised, or revoked");
    return { subject: `key:${id}`, groups: [], via: "api-key" };
  }
  let iss: string | undefined;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    throw unauthenticated("the bearer value is neither an API key nor a JWT");
  }
  if (iss === a.builtIn.url) {
    let sub: string;
    try {
      sub = (await a.builtIn.verify(token)).sub!;
    } catch (e) {
      throw unauthenticated(why(e));
    }
    // Tokens from the built-in endpoint belong to an API key and die with it.
    if (!sub.startsWith("key:") || !(await a.keys.isActive(sub.slice(4)))) throw unauthenticated("the token's API key is revoked");
    return { subject: sub, groups: [], via: "built-in-token" };
  }
  if (a.external && iss === a.external.issuer) {
    try {
      const payload = await a.external.verify(token);
      return { subject: `user:${payload.sub}`, groups: groupsOf(payload[a.groupsClaim]), via: "external-token" };
    } catch (e) {
      throw unauthenticated(why(e));
    }
  }
  throw unauthenticated(`tokens from issuer ${JSON.stringify(iss ?? null)} are not accepted`);
}
