import { describe, expect, it } from "vitest";
import { checkSignedUrlOptions, signBlobUrl, verifyBlobUrl } from "./signing.ts";

const config = { baseUrl: "https://aloft.example/api/blobs/", secret: "k".repeat(32) };
const t0 = new Date("2026-01-01T00:00:00Z");
const later = (s: number) => new Date(t0.getTime() + s * 1000);

describe("signBlobUrl / verifyBlobUrl", () => {
  const signed = signBlobUrl(config, { key: "a/b c/d.pb", method: "GET", expiresAt: later(60) });

  it("round-trips key, method and expiry", () => {
    expect(signed.url.startsWith("https://aloft.example/api/blobs/a/b%20c/d.pb?")).toBe(true);
    expect(verifyBlobUrl(config, "GET", signed.url, t0)).toEqual({ key: "a/b c/d.pb", method: "GET", expiresAt: later(60) });
  });

  it("allows HEAD on a GET URL but not PUT", () => {
    expect(verifyBlobUrl(config, "HEAD", signed.url, t0).key).toBe("a/b c/d.pb");
    expect(() => verifyBlobUrl(config, "PUT", signed.url, t0)).toThrow("signed for GET, used with PUT");
  });

  it("rejects an expired URL", () => {
    expect(() => verifyBlobUrl(config, "GET", signed.url, later(61))).toThrow(/expired at 2026-01-01T00:01:00.000Z/);
  });

  it("rejects tampering with the key, expiry, method or signature", () => {
    const u = new URL(signed.url);
    const other = new URL(u);
    other.pathname = "/api/blobs/a/b%20c/other.pb";
    expect(() => verifyBlobUrl(config, "GET", other, t0)).toThrow("signature does not match");
    const extended = new URL(u);
    extended.searchParams.set("X-Aloft-Expires", String(Number(u.searchParams.get("X-Aloft-Expires")) + 3600));
    expect(() => verifyBlobUrl(config, "GET", extended, t0)).toThrow("signature does not match");
    const put = new URL(u);
    put.searchParams.set("X-Aloft-Method", "PUT");
    expect(() => verifyBlobUrl(config, "PUT", put, t0)).toThrow("signature does not match");
    const forged = new URL(u);
    forged.searchParams.set("X-Aloft-Signature", "00".repeat(32));
    expect(() => verifyBlobUrl(config, "GET", forged, t0)).toThrow("signature does not match");
  });

  it("rejects a URL signed with another secret and paths outside the base", () => {
    const foreign = signBlobUrl({ ...config, secret: "x".repeat(32) }, { key: "a/b c/d.pb", method: "GET", expiresAt: later(60) });
    expect(() => verifyBlobUrl(config, "GET", foreign.url, t0)).toThrow("signature does not match");
    expect(() => verifyBlobUrl(config, "GET", "https://aloft.example/other/x?X-Aloft-Method=GET", t0)).toThrow(/is not under \/api\/blobs\//);
  });

  it("binds the Content-MD5 into the signature", () => {
    const md5 = "XrY7u+Ae7tCTyyK7j1rNww==";
    const s = signBlobUrl(config, { key: "u/f", method: "PUT", expiresAt: later(60), contentMd5: md5 });
    expect(s.headers).toEqual({ "Content-MD5": md5 });
    expect(verifyBlobUrl(config, "PUT", s.url, t0).contentMd5).toBe(md5);
    const swapped = new URL(s.url);
    swapped.searchParams.set("X-Aloft-Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==");
    expect(() => verifyBlobUrl(config, "PUT", swapped, t0)).toThrow("signature does not match");
    const dropped = new URL(s.url);
    dropped.searchParams.delete("X-Aloft-Content-MD5");
    expect(() => verifyBlobUrl(config, "PUT", dropped, t0)).toThrow("signature does not match");
  });

  it("refuses weak secrets and bad base URLs up front", () => {
    expect(() => signBlobUrl({ ...config, secret: "short" }, { key: "k", method: "GET", expiresAt: t0 })).toThrow(
      "signing.secret: must be at least 32 bytes, got 5",
    );
    expect(() => signBlobUrl({ ...config, baseUrl: "/relative" }, { key: "k", method: "GET", expiresAt: t0 })).toThrow(/signing.baseUrl/);
  });
});

describe("checkSignedUrlOptions", () => {
  it("names the bad field", () => {
    expect(() => checkSignedUrlOptions({ method: "DELETE", expiresInSeconds: 10 })).toThrow('method: must be GET or PUT, got "DELETE"');
    expect(() => checkSignedUrlOptions({ method: "GET", expiresInSeconds: 1.5 })).toThrow(/expiresInSeconds/);
    expect(() => checkSignedUrlOptions({ method: "GET", expiresInSeconds: 8 * 24 * 3600 })).toThrow(/expiresInSeconds/);
    expect(() => checkSignedUrlOptions({ method: "GET", expiresInSeconds: 10, contentMd5: "XrY7u+Ae7tCTyyK7j1rNww==" })).toThrow(
      "contentMd5: only applies to PUT",
    );
    expect(() => checkSignedUrlOptions({ method: "PUT", expiresInSeconds: 10, contentMd5: "abc" })).toThrow(/base64 MD5/);
    expect(() => checkSignedUrlOptions({ method: "PUT", expiresInSeconds: 10, contentMd5: "XrY7u+Ae7tCTyyK7j1rNww==" })).not.toThrow();
  });
});
