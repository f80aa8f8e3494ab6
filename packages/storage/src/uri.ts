// Blob URIs are kept as raw strings, the way Flyte writes them into literals (`s3://bucket/a b/c`): keys are not
// percent-decoded, so the URI a task wrote is exactly the key that gets read.
import { InvalidUriError } from "./errors.ts";

export type ParsedBlobUri = { scheme: "s3"; bucket: string; key: string } | { scheme: "file"; path: string };

// S3's rules for bucket names: 3–63 of lowercase letters, digits, dots and hyphens, starting and ending alphanumeric.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket/key` or `file:///absolute/path`; anything else is an InvalidUriError saying why. */
export function parseBlobUri(uri: string): ParsedBlobUri {
  if (typeof uri !== "string" || uri === "") throw new InvalidUriError(String(uri), "empty URI");
  if (uri.startsWith("s3://")) {
    const rest = uri.slice("s3://".length);
    const slash = rest.indexOf("/");
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const key = slash === -1 ? "" : rest.slice(slash + 1);
    if (!BUCKET.test(bucket)) {
      throw new InvalidUriError(uri, `bucket ${JSON.stringify(bucket)} is not a valid S3 bucket name`);
    }
    checkSegments(uri, key);
    return { scheme: "s3", bucket, key };
  }
  if (uri.startsWith("file://")) {
    const path = uri.slice("file://".length);
    if (!path.startsWith("/")) {
      throw new InvalidUriError(uri, "file URIs must be absolute with an empty host, like file:///var/aloft/data");
    }
    checkSegments(uri, path);
    return { scheme: "file", path };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1];
  throw new InvalidUriError(uri, scheme ? `unsupported scheme "${scheme}" (expected s3 or file)` : "expected s3://bucket/key or file:///path");
}

function checkSegments(uri: string, path: string): void {
  for (const segment of path.split("/")) {
    if (segment === "..") throw new InvalidUriError(uri, '".." segments are not allowed');
  }
  if (path.includes("\0")) throw new InvalidUriError(uri, "NUL characters are not allowed");
}

/**
 * Joins a base URI and path parts with single slashes, like Flyte's ConstructReference: empty parts are skipped and
 * slashes at the joints are collapsed. Parts must not contain ".." segments.
 */
export function joinUri(base: string, ...parts: Array<string | number>): string {
  // A bare scheme root such as "file:///" keeps its "//" so that joining "x" gives "file:///x".
  let out = /^[a-z][a-z0-9+.-]*:\/*$/i.test(base) ? base.replace(/\/*$/, "//") : base.replace(/\/+$/, "");
  for (const raw of parts) {
    const part = String(raw).replace(/^\/+|\/+$/g, "");
    if (part === "") continue;
    if (part.split("/").includes("..")) throw new InvalidUriError(`${out}/${part}`, '".." segments are not allowed');
    out = `${out}/${part}`;
  }
  return out;
}
