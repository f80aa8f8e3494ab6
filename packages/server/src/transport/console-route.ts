// Serves the web console (packages/console, built by the install) at `/`: its files with their content types, and
// index.html for any other GET that is not an API path, so deep links load the app, which then routes itself.
// The page may talk only to this server (a strict Content-Security-Policy), and it uses the same Flyte API as
// every other client: nothing here reads the database or the engine.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import type http from "node:http";
import type http2 from "node:http2";

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".map": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

// Scripts, styles, workers and API calls from this origin only; no inline script, no framing, no plugins.
// Inline style attributes are allowed: the graph library positions nodes with them.
export const consoleCsp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = {
  "content-security-policy": consoleCsp,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
};

// Paths that belong to the API or other routes (auth discovery, health): never answered with the app's index.html,
// so a client probing one of them with auth off gets a 404, not a web page.
const apiPrefixes = ["/api/", "/aloft/", "/blobs/", "/oauth2/", "/.well-known/", "/flyteidl.", "/flyteidl2.", "/grpc.", "/metrics", "/healthz", "/readyz", "/healthcheck"];

export function isConsolePath(path: string): boolean {
  return !apiPrefixes.some((p) => path.startsWith(p));
}

const notBuilt = (dir: string) =>
  `The Aloft console has not been built (no ${join(dir, "index.html")}).\n` +
  "Build it with `npm run build -w @aloft/console` (the README's `npm install` does this), then reload.\n" +
  "The API is served as usual under /api/v1 and the Flyte gRPC/Connect paths.\n";

/** A route for the server's `extra` chain: answers GET/HEAD for console paths and returns false for the rest. */
export function consoleRoute(dir: string): (req: Req, res: Res) => Promise<boolean> {
  const root = normalize(dir.endsWith(sep) ? dir : dir + sep);
  return async (req, res) => {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://console.invalid");
    const path = url.pathname;
    if ((method !== "GET" && method !== "HEAD") || !isConsolePath(path)) return false;
    let rel: string;
    try {
      rel = decodeURIComponent(path);
    } catch {
      return send(res, method, 400, "text/plain; charset=utf-8", "bad path encoding\n");
    }
    const file = normalize(join(root, rel));
    // A path that leaves the directory (../) is answered as a client route, never read.
    const inside = file.startsWith(root) && !rel.includes("\0");
    const asset = inside && extname(file) !== "" ? await fileInfo(file) : undefined;
    if (asset) {
      const immutable = rel.startsWith("/assets/");
      res.writeHead(200, {
        ...securityHeaders,
        "content-type": contentTypes[extname(file)] ?? "application/octet-stream",
        "content-length": String(asset.size),
        "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      });
      if (method === "HEAD") res.end();
      else createReadStream(file).pipe(res as NodeJS.WritableStream);
      return true;
    }
    if (extname(rel) !== "" && rel.startsWith("/assets/")) return send(res, method, 404, "text/plain; charset=utf-8", "not found\n");
    // A client route (/executions/...): the app's page, which reads the path itself.
    const index = await fileInfo(join(root, "index.html"));
    if (!index) return send(res, method, 503, "text/plain; charset=utf-8", notBuilt(root));
    res.writeHead(200, { ...securityHeaders, "content-type": contentTypes[".html"]!, "content-length": String(index.size), "cache-control": "no-cache" });
    if (method === "HEAD") res.end();
    else createReadStream(join(root, "index.html")).pipe(res as NodeJS.WritableStream);
    return true;
  };
}

async function fileInfo(file: string): Promise<{ size: number } | undefined> {
  try {
    const s = await stat(file);
    return s.isFile() ? { size: s.size } : undefined;
  } catch {
    return undefined;
  }
}

function send(res: Res, method: string, status: number, type: string, body: string): true {
  res.writeHead(status, { ...securityHeaders, "content-type": type, "content-length": String(Buffer.byteLength(body)) });
  if (method === "HEAD") res.end();
  else res.end(body);
  return true;
}
