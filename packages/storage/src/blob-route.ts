// The server side of the filesystem store's signed URLs, as a web-standard handler: the server mounts it at the
// signing `baseUrl` and passes requests through. Downloads stream from disk; uploads stream to disk and, when the
// URL was signed with a Content-MD5, are stored only if the body has that digest.
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { BadDigestError, BlobNotFoundError, InvalidSignatureError, StorageIoError, UnsupportedOperationError } from "./errors.ts";
import type { FileSystemBlobStore } from "./fs-store.ts";
import { verifyBlobUrl } from "./signing.ts";

/** Serves GET, HEAD and PUT on signed URLs of `store`; never throws for client errors, it answers them. */
export async function serveSignedBlobRequest(store: FileSystemBlobStore, request: Request, now: Date = new Date()): Promise<Response> {
  const signing = store.signingConfig;
  if (!signing) throw new UnsupportedOperationError(`the store at ${store.root} has no signing config`);
  const method = request.method.toUpperCase();
  if (method !== "GET" && method !== "HEAD" && method !== "PUT") {
    return text(405, `method ${method} is not allowed`, { Allow: "GET, HEAD, PUT" });
  }
  let verified;
  try {
    verified = verifyBlobUrl(signing, method, request.url, now);
  } catch (e) {
    if (e instanceof InvalidSignatureError) return text(403, e.message);
    throw e;
  }
  let uri: string;
  try {
    uri = store.uriForKey(verified.key);
  } catch (e) {
    return text(400, e instanceof Error ? e.message : String(e));
  }

  if (method === "PUT") {
    const announced = request.headers.get("content-md5") ?? undefined;
    if (verified.contentMd5 !== undefined && announced !== verified.contentMd5) {
      return text(400, `Content-MD5 header must be ${verified.contentMd5}, the digest this URL was signed for`);
    }
    const body = request.body ? Readable.fromWeb(request.body as NodeWebReadableStream<Uint8Array>) : Readable.from([]);
    try {
      await store.writeStream(uri, body, announced !== undefined ? { contentMd5: announced } : {});
    } catch (e) {
      if (e instanceof BadDigestError) return text(400, e.message);
      throw e;
    }
    return new Response(null, { status: 200 });
  }

  const info = await store.head(uri);
  if (!info) return text(404, `no blob at key ${verified.key}`);
  const headers = { "Content-Length": String(info.size), "Content-Type": "application/octet-stream" };
  if (method === "HEAD") return new Response(null, { status: 200, headers });
  let stream: Readable;
  try {
    stream = await store.openRead(uri);
  } catch (e) {
    // Deleted between head and open.
    if (e instanceof BlobNotFoundError) return text(404, `no blob at key ${verified.key}`);
    throw e instanceof StorageIoError ? e : new StorageIoError(uri, "openRead", e);
  }
  return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status: 200, headers });
}

function text(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}
