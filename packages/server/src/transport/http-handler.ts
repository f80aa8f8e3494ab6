// The single request handler behind the port: Connect's adapter answers gRPC, gRPC-Web and Connect calls at
// /<package>.<Service>/<Method>; the REST gateway answers the annotated /api/v1/... paths.
import cors from "cors";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import type { Message } from "@bufbuild/protobuf";
import { toConnectError } from "../status.ts";
import { createRestGateway } from "./rest.ts";
import type { RequestHandler } from "./listen.ts";
import type { ServiceBinding } from "./binding.ts";
import { checkRequest, isAllowedOrigin, type FrontDoorPolicy } from "./front-door.ts";
import { rpcPath, writeErrorReply } from "./error-reply.ts";

export interface HttpHandlerOptions {
  bindings: ServiceBinding[];
  maxMessageBytes: number;
  /** Extra plain-HTTP routes (for example the blob store's signed URLs); return false to pass. */
  extra?: (...args: Parameters<RequestHandler>) => Promise<boolean>;
  /** Host and origin allow-lists (see front-door.ts); the default allows loopback and IP hosts, same-origin pages only. */
  frontDoor?: FrontDoorPolicy;
  /** Paths whose writes are authorized by a signature, not by the caller's network position (signed blob URLs). */
  signedPaths?: (path: string) => boolean;
}

// Headers a page on an allowed origin may read: the gRPC-Web and Connect status headers and the error id.
const exposedHeaders = ["grpc-status", "grpc-message", "grpc-status-details-bin", "x-aloft-error-id", "content-encoding", "connect-content-encoding"];

export function createHttpHandler(options: HttpHandlerOptions): RequestHandler {
  const connect = connectNodeAdapter({
    readMaxBytes: options.maxMessageBytes,
    routes(router: ConnectRouter) {
      for (const { service, handlers } of options.bindings) {
        const impl: Record<string, (req: Message, ctx: HandlerContext) => Promise<Message>> = {};
        for (const [name, handler] of Object.entries(handlers)) {
          impl[name] = async (req, ctx) => {
            try {
              return await handler(req, { signal: ctx.signal, headers: ctx.requestHeader });
            } catch (e) {
              throw toConnectError(e);
            }
          };
        }
        router.service(service, impl as never);
      }
    },
  });
  const rest = createRestGateway(options.bindings, { maxBodyBytes: options.maxMessageBytes });
  const policy = options.frontDoor ?? { allowedHosts: [], allowedOrigins: [] };
  const corsHeaders = cors({ origin: true, exposedHeaders, maxAge: 600 });
  return (req, res) => {
    const path = req.url ?? "/";
    const refused = checkRequest({ method: req.method ?? "GET", path, headers: req.headers }, policy, options.signedPaths);
    if (refused) {
      // The body is not read: a refused upload must not be taken in first.
      writeErrorReply(req, res, refused.error, refused.httpStatus);
      return;
    }
    const origin = req.headers.origin;
    if (typeof origin === "string" && !isAllowedOrigin(origin, String(req.headers[":authority"] ?? req.headers.host ?? ""), [])) {
      // A configured cross-origin caller: CORS headers, and preflights answered here.
      corsHeaders(req as never, res as never, () => routeRequest(req, res, path));
      return;
    }
    routeRequest(req, res, path);
  };

  function routeRequest(...[req, res, path]: [...Parameters<RequestHandler>, string]): void {
    if (rpcPath.test(path)) {
      if (String(req.headers["content-type"] ?? "").startsWith("application/grpc")) remapParseErrors(res);
      connect(req as never, res as never);
      return;
    }
    void (async () => {
      if (options.extra && (await options.extra(req, res))) return;
      if (await rest.handle(req, res)) return;
      const body = JSON.stringify({ code: 5, message: `no route for ${req.method} ${path}`, details: [] });
      res.writeHead(404, { "content-type": "application/json" });
      res.end(body);
    })().catch((e) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: 13, message: String(e), details: [] }));
    });
  }
}

/**
 * Connect reports an undecodable binary request as INTERNAL; to a client it is a malformed request, which gRPC
 * (and flyteadmin) answer with INVALID_ARGUMENT. The status is rewritten where Connect writes it: in the headers
 * of a trailers-only response, or in the trailers.
 */
function remapParseErrors(res: Parameters<RequestHandler>[1]): void {
  const fix = (headers: Record<string, unknown> | undefined) => {
    if (!headers) return;
    const message = String(headers["grpc-message"] ?? "");
    if (String(headers["grpc-status"]) === "13" && /^parse(%20| )binary/.test(message)) headers["grpc-status"] = "3";
  };
  const r = res as unknown as { writeHead: (...a: unknown[]) => unknown; addTrailers: (h: Record<string, unknown>) => void };
  const writeHead = r.writeHead.bind(res);
  r.writeHead = (status: unknown, headers?: unknown, ...rest: unknown[]) => {
    fix(headers as Record<string, unknown> | undefined);
    return writeHead(status, headers, ...rest);
  };
  const addTrailers = r.addTrailers.bind(res);
  r.addTrailers = (h) => {
    fix(h);
    addTrailers(h);
  };
}
