// Signed URLs for the filesystem store. A file on the server's disk has no URL of its own, so the server mounts a
// route (the `baseUrl`) that serves GET and PUT for blob keys, and authorises each request with an HMAC over
// method, key, expiry and the optional Content-MD5. `signBlobUrl` is what the store hands out; `verifyBlobUrl` is
// what that route calls before touching the file.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { SignedUrl, SignedUrlMethod } from "./blob-store.ts";
import { InvalidSignatureError, InvalidStorageArgumentError } from "./errors.ts";

export interface UrlSigningConfig {
  /** Absolute URL of the server route that serves signed blob requests, e.g. `http://localhost:8088/blobs`. */
  baseUrl: string;
  /** HMAC-SHA256 key; at least 32 bytes so signatures cannot be brute-forced. */
  secret: string | Uint8Array;
}

export interface SignRequest {
  /** Blob key relative to the store root, e.g. `metadata/p-d-e/n0/data/inputs.pb`. */
  key: string;
  method: SignedUrlMethod;
  expiresAt: Date;
  /** Base64 MD5 the PUT body must have. */
  contentMd5?: string;
}

export interface VerifiedBlobRequest {
  key: string;
  method: SignedUrlMethod;
  expiresAt: Date;
  /** When set, the route must require a Content-MD5 header equal to this and check the body against it. */
  contentMd5?: string;
}

const P = { method: "X-Aloft-Method", expires: "X-Aloft-Expires", md5: "X-Aloft-Content-MD5", signature: "X-Aloft-Signature" };

/** Checks a signing config up front so a bad secret or base URL fails at startup, not on first use. */
export function checkSigningConfig(config: UrlSigningConfig): void {
  const secretLength = typeof config.secret === "string" ? Buffer.byteLength(config.secret) : config.secret.length;
  if (secretLength < 32) throw new InvalidStorageArgumentError("signing.secret", `must be at least 32 bytes, got ${secretLength}`);
  let base: URL;
  try {
    base = new URL(config.baseUrl);
  } catch {
    throw new InvalidStorageArgumentError("signing.baseUrl", `${JSON.stringify(config.baseUrl)} is not an absolute URL`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new InvalidStorageArgumentError("signing.baseUrl", `must be http or https, got ${base.protocol}`);
  }
  if (base.search || base.hash) throw new InvalidStorageArgumentError("signing.baseUrl", "must not have a query or fragment");
}

export function signBlobUrl(config: UrlSigningConfig, req: SignRequest): SignedUrl {
  checkSigningConfig(config);
  const expires = Math.floor(req.expiresAt.getTime() / 1000);
  const url = new URL(`${config.baseUrl.replace(/\/+$/, "")}/${encodeKey(req.key)}`);
  url.searchParams.set(P.method, req.method);
  url.searchParams.set(P.expires, String(expires));
  if (req.contentMd5 !== undefined) url.searchParams.set(P.md5, req.contentMd5);
  url.searchParams.set(P.signature, signature(config, req.method, req.key, expires, req.contentMd5));
  const headers: Record<string, string> = req.contentMd5 !== undefined ? { "Content-MD5": req.contentMd5 } : {};
  return { url: url.toString(), headers, expiresAt: new Date(expires * 1000) };
}

/**
 * Checks a request against its signed URL: the path lies under `baseUrl`, the signature matches, it has not expired,
 * and the request method is the signed one (HEAD is allowed on a URL signed for GET).
 */
export function verifyBlobUrl(
  config: UrlSigningConfig,
  requestMethod: string,
  requestUrl: string | URL,
  now: Date = new Date(),
): VerifiedBlobRequest {
  const url = new URL(requestUrl);
  const basePath = new URL(config.baseUrl).pathname.replace(/\/+$/, "");
  if (!url.pathname.startsWith(`${basePath}/`)) throw new InvalidSignatureError(`path ${url.pathname} is not under ${basePath}/`);
  let key: string;
  try {
    key = url.pathname.slice(basePath.length + 1).split("/").map(decodeURIComponent).join("/");
  } catch {
    throw new InvalidSignatureError("path is not valid percent-encoding");
  }
  const method = url.searchParams.get(P.method);
  const expiresRaw = url.searchParams.get(P.expires);
  const given = url.searchParams.get(P.signature);
  const md5 = url.searchParams.get(P.md5) ?? undefined;
  if (method !== "GET" && method !== "PUT") throw new InvalidSignatureError(`${P.method} must be GET or PUT`);
  if (expiresRaw === null || !/^\d+$/.test(expiresRaw)) throw new InvalidSignatureError(`${P.expires} is missing or not a number`);
  if (given === null) throw new InvalidSignatureError(`${P.signature} is missing`);
  const expires = Number(expiresRaw);
  const expected = Buffer.from(signature(config, method, key, expires, md5), "hex");
  const actual = Buffer.from(given, "hex");
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new InvalidSignatureError("signature does not match");
  }
  if (now.getTime() > expires * 1000) throw new InvalidSignatureError(`expired at ${new Date(expires * 1000).toISOString()}`);
  const upper = requestMethod.toUpperCase();
  if (upper !== method && !(upper === "HEAD" && method === "GET")) {
    throw new InvalidSignatureError(`signed for ${method}, used with ${upper}`);
  }
  return { key, method, expiresAt: new Date(expires * 1000), ...(md5 !== undefined ? { contentMd5: md5 } : {}) };
}

function signature(config: UrlSigningConfig, method: string, key: string, expires: number, md5: string | undefined): string {
  // JSON keeps the fields unambiguous whatever characters the key holds.
  const payload = JSON.stringify(["aloft-blob-v1", method, key, expires, md5 ?? null]);
  return createHmac("sha256", config.secret).update(payload).digest("hex");
}

function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

/** Longest validity a signed URL may have: 7 days, S3's own limit, so both stores accept the same requests. */
export const MAX_SIGNED_URL_SECONDS = 7 * 24 * 3600;

/** Validates the options of `BlobStore.signedUrl`, naming the bad field. */
export function checkSignedUrlOptions(options: { method: string; expiresInSeconds: number; contentMd5?: string }): void {
  if (options.method !== "GET" && options.method !== "PUT") {
    throw new InvalidStorageArgumentError("method", `must be GET or PUT, got ${JSON.stringify(options.method)}`);
  }
  const s = options.expiresInSeconds;
  if (!Number.isInteger(s) || s < 1 || s > MAX_SIGNED_URL_SECONDS) {
    throw new InvalidStorageArgumentError("expiresInSeconds", `must be an integer from 1 to ${MAX_SIGNED_URL_SECONDS}, got ${s}`);
  }
  if (options.contentMd5 !== undefined) {
    if (options.method !== "PUT") throw new InvalidStorageArgumentError("contentMd5", "only applies to PUT");
    if (Buffer.from(options.contentMd5, "base64").length !== 16 || !/^[A-Za-z0-9+/]{22}==$/.test(options.contentMd5)) {
      throw new InvalidStorageArgumentError("contentMd5", `must be a base64 MD5 digest (24 characters), got ${JSON.stringify(options.contentMd5)}`);
    }
  }
}
