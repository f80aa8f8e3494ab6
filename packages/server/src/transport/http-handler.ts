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
import { remapDecodeErrors } from "./decode-errors.ts";
import { rejectNul } from "./request-checks.ts";
import { withErrorId } from "./error-id.ts";
import type { Logger } from "pino";

export interface HttpHandlerOptions {
  bindings: ServiceBinding[];
  maxMessageBytes: number;
  /** Extra plain-HTTP routes (for example the blob store's signed URLs); return false to pass. */
  extra?: (...args: Parameters<RequestHandler>) => Promise<boolean>;
  /** Host and origin allow-lists (see front-door.ts); the default allows loopback and IP hosts, same-origin pages only. */
  frontDoor?: FrontDoorPolicy;
  /** Paths whose writes are authorized by a signature, not by the caller's network position (signed blob URLs). */
  signedPaths?: (path: string) => boolean;
  /** Where INTERNAL errors are logged, with the id their client is given. */
  log?: Logger;
}

// Headers a page on an allowed origin may read: the gRPC-Web and Connect status headers and the error id.
const exposedHeaders = ["grpc-status", "grpc-message", "grpc-status-details-bin", "x-aloft-error-id", "content-encoding", "connect-content-encoding"];

/** Every handler, on every transport, first refuses strings with NUL characters (see request-checks.ts). */
function checked(bindings: ServiceBinding[]): ServiceBinding[] {
  return bindings.map(({ service, handlers }) => ({
    service,
    handlers: Object.fromEntries(
      Object.entries(handlers).map(([name, handler]) => {
        const input = service.methods.find((m) => m.localName === name)?.input;
        return [name, async (req: Message, call: Parameters<typeof handler>[1]) => (input && rejectNul(input, req), handler(req, call))];
      }),
    ),
  }));
}

export function createHttpHandler(options: HttpHandlerOptions): RequestHandler {
  const bindings = checked(options.bindings);
  const log = options.log;
  const connect = connectNodeAdapter({
    readMaxBytes: options.maxMessageBytes,
    routes(router: ConnectRouter) {
      for (const { service, handlers } of bindings) {
        const impl: Record<string, (req: Message, ctx: HandlerContext) => Promise<Message>> = {};
        for (const [name, handler] of Object.entries(handlers)) {
          impl[name] = async (req, ctx) => {
            try {
              return await handler(req, { signal: ctx.signal, headers: ctx.requestHeader });
            } catch (e) {
              throw withErrorId(toConnectError(e), log, `${service.name}.${name}`);
            }
          };
        }
        router.service(service, impl as never);
      }
    },
  });
  const rest = createRestGateway(bindings, { maxBodyBytes: options.maxMessageBytes, ...(log ? { log } : {}) });
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
      remapDecodeErrors(String(req.headers["content-type"] ?? "").toLowerCase(), res);
      connect(req as never, res as never);
      return;
    }
    void (async () => {
      if (options.extra && (await options.extra(req, res))) return;
      if (await rest.handle(req, res)) return;
      const body = JSON.stringify({ code: 5, message: `no route for ${req.method} ${path}`, details: [] });
      res.writeHead(404, { "content-type": "application/json" });
      res.end(body);
    })().catch((e) => writeErrorReply(req, res, withErrorId(toConnectError(e), log, `${req.method} ${path}`)));
  }
}
