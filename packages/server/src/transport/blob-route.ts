// Serves the filesystem blob store's signed URLs (DataProxy uploads and downloads): a file on the server's disk
// has no URL of its own, so requests under the signing base path are verified and answered here. Uploads stream
// to the store (never held in memory whole), stop at a size limit, and only a bounded number run at once; a
// request over that number is answered 429 at once rather than queued.
import type http from "node:http";
import type http2 from "node:http2";
import { createHash } from "node:crypto";
import { Transform } from "node:stream";
import type { Logger } from "pino";
import { joinUri, verifyBlobUrl, type BlobStore, type UrlSigningConfig } from "@aloft/storage";
import { errorId } from "./error-id.ts";

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

export interface BlobRouteOptions {
  /** Largest upload accepted, in bytes. */
  maxUploadBytes: number;
  /** Uploads streamed at once; more are refused with 429. */
  maxConcurrentUploads: number;
  log?: Logger;
}

function reply(res: Res, status: number, message: string, headers: Record<string, string> = {}): true {
  if (res.headersSent) {
    res.end();
    return true;
  }
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(message);
  return true;
}

class TooLarge extends Error {}

export function blobRoute(store: BlobStore, signing: UrlSigningConfig, options: BlobRouteOptions): (req: Req, res: Res) => Promise<boolean> {
  const basePath = new URL(signing.baseUrl).pathname.replace(/\/+$/, "");
  let uploads = 0;
  return async (req, res) => {
    const path = req.url ?? "/";
    if (!path.startsWith(`${basePath}/`)) return false;
    let verified;
    try {
      verified = verifyBlobUrl(signing, req.method ?? "GET", new URL(path, signing.baseUrl));
    } catch (e) {
      return reply(res, 403, (e as Error).message);
    }
    // The key is used as it is: a segment the store would normalize means bytes landing elsewhere than signed.
    if (verified.key.split("/").some((s) => s === "" || s === "." || s === "..")) return reply(res, 400, `blob key ${JSON.stringify(verified.key)} has empty, "." or ".." segments`);
    const uri = joinUri(store.root, ...verified.key.split("/"));
    try {
      if (verified.method === "PUT") {
        const declared = req.headers["content-length"] === undefined ? undefined : Number(req.headers["content-length"]);
        if (declared !== undefined && declared > options.maxUploadBytes) return reply(res, 413, `upload of ${declared} bytes exceeds the limit of ${options.maxUploadBytes} bytes`);
        if (verified.contentMd5 !== undefined && req.headers["content-md5"] !== verified.contentMd5) {
          return reply(res, 400, "Content-MD5 header missing or different from the signed one");
        }
        if (uploads >= options.maxConcurrentUploads) {
          return reply(res, 429, `${options.maxConcurrentUploads} uploads are already in progress; retry shortly`, { "retry-after": "1" });
        }
        uploads++;
        try {
          return await upload(req, res, uri, verified.contentMd5);
        } finally {
          uploads--;
        }
      }
      const info = await store.head(uri);
      if (!info) return reply(res, 404, "not found");
      res.writeHead(200, { "content-length": String(info.size), "content-type": "application/octet-stream" });
      if (req.method === "HEAD") {
        res.end();
        return true;
      }
      const stream = await store.openRead(uri);
      stream.pipe(res as NodeJS.WritableStream);
      await new Promise<void>((resolve, reject) => {
        stream.on("end", () => resolve());
        stream.on("error", reject);
      });
    } catch (e) {
      const id = errorId();
      options.log?.error({ err: e, errorId: id, key: verified.key }, "blob request failed");
      reply(res, 500, `internal error (error id ${id})`, { "x-aloft-error-id": id });
    }
    return true;
  };

  async function upload(req: Req, res: Res, uri: string, contentMd5: string | undefined): Promise<true> {
    let size = 0;
    const md5 = createHash("md5");
    const limit = options.maxUploadBytes;
    const counted = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > limit) return done(new TooLarge(`upload exceeds the limit of ${limit} bytes`));
        md5.update(chunk);
        done(null, chunk);
      },
    });
    (req as NodeJS.ReadableStream).pipe(counted);
    req.on("error", (e) => counted.destroy(e));
    try {
      await store.writeStream(uri, counted, contentMd5 !== undefined ? { contentMd5 } : {});
    } catch (e) {
      // Nothing is stored: the store writes to a temporary file and renames only a complete body.
      if (e instanceof TooLarge || (e as { cause?: unknown }).cause instanceof TooLarge) return reply(res, 413, (e instanceof TooLarge ? e : ((e as { cause: Error }).cause)).message);
      if ((e as { code?: unknown }).code === "BAD_DIGEST") return reply(res, 400, "body does not match Content-MD5");
      throw e;
    }
    res.writeHead(200, { etag: `"${md5.digest("hex")}"` });
    res.end();
    return true;
  }
}
