// Tokens from an external OIDC issuer (a real HTTP server publishing discovery and a JWKS) and from the built-in
// issuer: valid ones pass; expired, wrong audience, wrong issuer, `alg: none`, HMAC, a key not in the JWKS and a
// forged signature are refused with UNAUTHENTICATED, never echoing the token.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from "jose";
import { Code, ConnectError } from "@connectrpc/connect";
import { authenticate, type Authenticators } from "./authenticate.ts";
import { ExternalIssuer } from "./external-issuer.ts";
import { BuiltInIssuer } from "./issuer.ts";
import { defaultAuthConfig } from "./config.ts";
import type { ApiKeys } from "./api-keys.ts";

let server: http.Server;
let issuer: string;
let key: CryptoKey;
let stranger: CryptoKey;
let jwks: { keys: JWK[] };
let a: Authenticators;
const activeKeys = new Set(["00000000000000aa"]);

beforeAll(async () => {
  ({ privateKey: stranger } = await generateKeyPair("RS256"));
  const { publicKey } = await generateKeyPair("RS256").then(async (p) => ({ publicKey: p.publicKey, privateKey: (key = p.privateKey) }));
  jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" }] };
  server = http.createServer((req, res) => {
    const body = req.url === "/.well-known/openid-configuration" ? { issuer, jwks_uri: `${issuer}/jwks`, token_endpoint: `${issuer}/token` } : req.url === "/jwks" ? jwks : undefined;
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const keys = { verify: async () => undefined, isActive: async (id: string) => activeKeys.has(id) } as unknown as ApiKeys;
  a = {
    keys,
    builtIn: await BuiltInIssuer.create("http://aloft.test"),
    external: new ExternalIssuer({ ...defaultAuthConfig(), enabled: true, issuer, audience: "aloft-api" }),
    groupsClaim: "groups",
  };
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const bearer = (t: string) => new Headers({ authorization: `Bearer ${t}` });
const token = (claims: { iss?: string; aud?: string; exp?: string | number; kid?: string; signer?: CryptoKey }) =>
  new SignJWT({ groups: ["ml", "platform"] })
    .setProtectedHeader({ alg: "RS256", kid: claims.kid ?? "k1" })
    .setIssuer(claims.iss ?? issuer)
    .setAudience(claims.aud ?? "aloft-api")
    .setSubject("alice")
    .setIssuedAt()
    .setExpirationTime(claims.exp ?? "5m")
    .sign(claims.signer ?? key);

async function refusal(t: string): Promise<string> {
  try {
    await authenticate(bearer(t), a);
  } catch (e) {
    const err = ConnectError.from(e);
    expect(err.code).toBe(Code.Unauthenticated);
    expect(err.message).not.toContain(t);
    return err.rawMessage;
  }
  throw new Error("token was accepted");
}

describe("external issuer tokens", () => {
  it("accepts a valid token, with the groups claim", async () => {
    expect(await authenticate(bearer(await token({})), a)).toEqual({ subject: "user:alice", groups: ["ml", "platform"], via: "external-token" });
  });

  it("refuses expired, wrong audience, wrong issuer, alg none, HMAC, unknown kid and a forged signature", async () => {
    expect(await refusal(await token({ exp: Math.floor(Date.now() / 1000) - 120 }))).toMatch(/expired/);
    expect(await refusal(await token({ aud: "someone-else" }))).toMatch(/aud claim/);
    expect(await refusal(await token({ iss: "https://evil.example.com" }))).toMatch(/issuer "https:\/\/evil.example.com" are not accepted/);
    const none = new UnsecuredJWT({ sub: "alice" }).setIssuer(issuer).setAudience("aloft-api").setExpirationTime("5m").encode();
    expect(await refusal(none)).toMatch(/algorithm/);
    const hmac = await new SignJWT({}).setProtectedHeader({ alg: "HS256", kid: "k1" }).setIssuer(issuer).setAudience("aloft-api").setSubject("alice").setExpirationTime("5m").sign(new TextEncoder().encode("x".repeat(32)));
    expect(await refusal(hmac)).toMatch(/algorithm/);
    expect(await refusal(await token({ kid: "k2", signer: stranger }))).toMatch(/key the issuer does not publish/);
    expect(await refusal(await token({ signer: stranger }))).toMatch(/signature/);
  });

  it("refuses requests without a bearer credential", async () => {
    await expect(authenticate(new Headers(), a)).rejects.toMatchObject({ code: Code.Unauthenticated });
    await expect(authenticate(new Headers({ authorization: "Basic eDp5" }), a)).rejects.toMatchObject({ code: Code.Unauthenticated });
    expect(await refusal("not-a-jwt")).toMatch(/neither an API key nor a JWT/);
  });
});

describe("built-in issuer tokens", () => {
  it("accepts its own tokens while their API key is active, and checks expiry", async () => {
    const t = await a.builtIn.issue("key:00000000000000aa", 60, "all");
    expect(await authenticate(bearer(t), a)).toEqual({ subject: "key:00000000000000aa", groups: [], via: "built-in-token" });
    activeKeys.delete("00000000000000aa");
    expect(await refusal(t)).toMatch(/revoked/);
    const other = await BuiltInIssuer.create("http://aloft.test");
    expect(await refusal(await other.issue("key:00000000000000aa", 60, "all"))).toMatch(/key id|signature/);
  });
});
