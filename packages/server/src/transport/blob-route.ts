// Serves the filesystem blob store's signed URLs (DataProxy uploads and downloads): a file on the server's disk
// has no URL of its own, so requests under the signing base path are verified and answered here.
import type http from "node:http";
import type http2 from "node:http2";
import { createHash } from "node:crypto";
import { joinUri, verifyBlobUrl, type BlobStore, type UrlSigningConfig } from "@aloft/storage";

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

function reply(res: Res, status: number, message: string): void {
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(message);
}

export function blobRoute(store: BlobStore, signing: UrlSigningConfig, maxBytes: number): (req: Req, res: Res) => Promise<boolean> {
  const basePath = new URL(signing.baseUrl).pathname.replace(/\/+$/, "");
  return async (req, res) => {
    const path = req.url ?? "/";
    if (!path.startsWith(`${basePath}/`)) return false;
    let verified;
    try {
      verified = verifyBlobUrl(signing, req.method ?? "GET", new URL(path, signing.baseUrl));
    } catch (e) {
      reply(res, 403, (e as Error).message);
      return true;
    }
    const uri = joinUri(store.root, ...verified.key.split("/"));
    try {
      if (verified.method === "PUT") {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const c of req as AsyncIterable<Buffer>) {
          size += c.length;
          if (size > maxBytes) return reply(res, 413, `upload exceeds ${maxBytes} bytes`), true;
          chunks.push(c);
        }
        const body = Buffer.concat(chunks);
        if (verified.contentMd5 !== undefined) {
          const header = req.headers["content-md5"];
          if (header !== verified.contentMd5) return reply(res, 400, "Content-MD5 header missing or different from the signed one"), true;
          const actual = createHash("md5").update(body).digest("base64");
          if (actual !== verified.contentMd5) return reply(res, 400, "body does not match Content-MD5"), true;
        }
        await store.put(uri, body);
        res.writeHead(200, { etag: `"${createHash("md5").update(body).digest("hex")}"` });
        res.end();
        return true;
      }
      const info = await store.head(uri);
      if (!info) return reply(res, 404, "not found"), true;
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
      if (!res.headersSent) reply(res, 500, (e as Error).message);
      else res.end();
    }
    return true;
  };
}
