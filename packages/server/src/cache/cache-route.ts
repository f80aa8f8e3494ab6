// The server's cache API: the engine's data catalog by key, for `aloft cache explain|evict` and for local runs
// that read or write the server's cache (`aloft run --cache remote`). Clients compute keys with the engine's one
// cache-key function, so local and remote keys are the same.
//
//   POST /aloft/v1/cache/find    {"key": CacheKeyJson}                       -> {"entry": CacheEntryJson | null}
//   POST /aloft/v1/cache/recent  {"task": "project/domain/name", "limit": n} -> {"keys": CacheKeyJson[]}
//   POST /aloft/v1/cache/put     {"entry": CacheEntryJson, "overwrite": bool} -> {"stored": bool}
//   POST /aloft/v1/cache/delete  {"key": CacheKeyJson}                       -> {"deleted": bool}
//
// Only POST with `content-type: application/json`: a cross-site page cannot send that without a CORS preflight,
// which this server never grants, so a browser cannot be made to evict or write entries. Errors are the REST
// gateway's JSON ({code, message}) with INVALID_ARGUMENT naming the field.
import type http from "node:http";
import type http2 from "node:http2";
import { entryFromJson, entryToJson, keyFromJson } from "@aloft/engine";
import type { AdminContext } from "../context.ts";
import { InvalidArgumentError, UnimplementedError } from "../errors.ts";
import { httpStatusOf, toConnectError } from "../status.ts";
import { ERROR_ID_HEADER, withErrorId } from "../transport/error-id.ts";

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

export const CACHE_API_PREFIX = "/aloft/v1/cache/";
const MAX_RECENT = 100;

export function reply(res: Res, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}

export async function readJson(req: Req, maxBytes: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > maxBytes) throw new InvalidArgumentError(`request body exceeds ${maxBytes} bytes`);
    chunks.push(c);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (e) {
    throw new InvalidArgumentError(`request body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new InvalidArgumentError("request body must be a JSON object");
  return body as Record<string, unknown>;
}

async function answer(ctx: AdminContext, op: string, body: Record<string, unknown>): Promise<unknown> {
  const cache = ctx.cache;
  if (!cache) throw new UnimplementedError("this server runs no data catalog");
  switch (op) {
    case "find": {
      const entry = await cache.find(keyFromJson(body.key));
      return { entry: entry ? entryToJson(entry) : null };
    }
    case "recent": {
      if (typeof body.task !== "string" || !/^[^/]+\/[^/]+\/.+$/.test(body.task)) throw new InvalidArgumentError("task: must be project/domain/name");
      const limit = body.limit ?? 20;
      if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_RECENT) throw new InvalidArgumentError(`limit: must be an integer from 1 to ${MAX_RECENT}`);
      return { keys: await cache.recent(body.task, limit) };
    }
    case "put": {
      if (body.overwrite !== undefined && typeof body.overwrite !== "boolean") throw new InvalidArgumentError("overwrite: must be a boolean");
      // The server's clock orders entries (a miss is explained by the newest), not the client's.
      const entry = { ...entryFromJson(body.entry), createdAt: ctx.now().getTime() };
      return { stored: (await cache.put(entry, body.overwrite === true)) === true };
    }
    case "delete":
      return { deleted: await cache.delete(keyFromJson(body.key)) };
    default:
      return undefined;
  }
}

/** The cache API as an extra route of the server's port; returns false for paths it does not own. */
export function cacheRoute(
  context: AdminContext | Promise<AdminContext>,
  maxBytes: number,
  /** With authentication on: checks the caller may do `op` with this body (auth/http-guard.ts); throws otherwise. */
  authorize?: (req: Req, op: string, body: Record<string, unknown>) => Promise<void>,
): (req: Req, res: Res) => Promise<boolean> {
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith(CACHE_API_PREFIX)) return false;
    const op = url.pathname.slice(CACHE_API_PREFIX.length);
    try {
      if (req.method !== "POST") {
        reply(res, 405, { code: 12, message: `${req.method} ${url.pathname}: only POST is allowed`, details: [] });
        return true;
      }
      const type = String(req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== "application/json") {
        reply(res, 415, { code: 3, message: `content-type must be application/json, got ${JSON.stringify(type)}`, details: [] });
        return true;
      }
      const body = await readJson(req, maxBytes);
      await authorize?.(req, op, body);
      const result = await answer(await context, op, body);
      if (result === undefined) reply(res, 404, { code: 5, message: `no cache operation ${JSON.stringify(op)} (find, recent, put, delete)`, details: [] });
      else reply(res, 200, result);
    } catch (e) {
      const err = withErrorId(toConnectError(e), await Promise.resolve(context).then((c) => c.log, () => undefined), `cache ${req.url}`);
      const id = err.metadata.get(ERROR_ID_HEADER);
      if (id !== null) res.setHeader(ERROR_ID_HEADER, id);
      reply(res, httpStatusOf(err.code), { code: err.code, message: err.rawMessage, details: [] });
    }
    return true;
  };
}
