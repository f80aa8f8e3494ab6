// One store URI configures storage everywhere (server flag, engine config, CLI):
//   file:///var/aloft/data
//   s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&forcePathStyle=true
// Secrets never go in the URI (it ends up in logs and process lists): pass `credentials` or use the AWS
// environment variables.
import type { BlobStore } from "./blob-store.ts";
import { InvalidStorageArgumentError } from "./errors.ts";
import { FileSystemBlobStore } from "./fs-store.ts";
import { S3BlobStore, type S3Credentials } from "./s3-store.ts";
import type { UrlSigningConfig } from "./signing.ts";
import { parseBlobUri } from "./uri.ts";

export interface BlobStoreOptions {
  /** S3 credentials; defaults to the AWS SDK provider chain. */
  credentials?: S3Credentials;
  /** Filesystem store only: the server route and secret for signed URLs. */
  signing?: UrlSigningConfig;
}

const S3_PARAMS = new Set(["endpoint", "region", "forcePathStyle", "partSizeBytes"]);
const SECRET_PARAMS = new Set(["accessKeyId", "secretAccessKey", "sessionToken", "password", "secret"]);

export function createBlobStore(storeUri: string, options: BlobStoreOptions = {}): BlobStore {
  const q = storeUri.indexOf("?");
  const base = q === -1 ? storeUri : storeUri.slice(0, q);
  const params = new URLSearchParams(q === -1 ? "" : storeUri.slice(q + 1));
  if (base.startsWith("/")) {
    throw new InvalidStorageArgumentError("store", `${JSON.stringify(storeUri)} is a path; write it as file://${base}`);
  }
  const parsed = parseBlobUri(base);
  if (parsed.scheme === "file") {
    const extra = [...params.keys()];
    if (extra.length > 0) throw new InvalidStorageArgumentError(extra[0] as string, "filesystem stores take no URI parameters");
    return new FileSystemBlobStore({ root: base, ...(options.signing ? { signing: options.signing } : {}) });
  }
  for (const name of params.keys()) {
    if (SECRET_PARAMS.has(name)) {
      throw new InvalidStorageArgumentError(name, "credentials do not belong in the store URI; pass them as options or AWS_* environment variables");
    }
    if (!S3_PARAMS.has(name)) {
      throw new InvalidStorageArgumentError(name, `unknown S3 store parameter (known: ${[...S3_PARAMS].join(", ")})`);
    }
  }
  const endpoint = params.get("endpoint") ?? undefined;
  if (endpoint !== undefined) {
    let u: URL;
    try {
      u = new URL(endpoint);
    } catch {
      throw new InvalidStorageArgumentError("endpoint", `${JSON.stringify(endpoint)} is not an absolute URL`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new InvalidStorageArgumentError("endpoint", `must be http or https, got ${u.protocol}`);
    }
  }
  const forcePathStyle = params.get("forcePathStyle");
  if (forcePathStyle !== null && forcePathStyle !== "true" && forcePathStyle !== "false") {
    throw new InvalidStorageArgumentError("forcePathStyle", `must be true or false, got ${JSON.stringify(forcePathStyle)}`);
  }
  const part = params.get("partSizeBytes");
  if (part !== null && !/^\d+$/.test(part)) throw new InvalidStorageArgumentError("partSizeBytes", `must be an integer, got ${JSON.stringify(part)}`);
  const region = params.get("region");
  return new S3BlobStore({
    root: base,
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(region !== null ? { region } : {}),
    ...(forcePathStyle !== null ? { forcePathStyle: forcePathStyle === "true" } : {}),
    ...(part !== null ? { partSizeBytes: Number(part) } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
}
