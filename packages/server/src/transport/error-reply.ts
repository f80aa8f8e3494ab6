// Writes an error before (or instead of) a route, in the protocol the request speaks: gRPC and gRPC-Web carry
// the status in grpc-status/grpc-message (a trailers-only response), Connect in its JSON error body, REST in
// grpc-gateway's {code, message, details}.
import type http from "node:http";
import type http2 from "node:http2";
import type { ConnectError } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { httpStatusOf } from "../status.ts";

type Res = http.ServerResponse | http2.Http2ServerResponse;

/** RPC paths (`/<package>.<Service>/<Method>`) are Connect's; the rest are REST and plain HTTP routes. */
export const rpcPath = /^\/[a-z]+\.[A-Za-z.]+\/[A-Za-z]+/;

export function writeErrorReply(req: { url?: string | undefined; headers: Record<string, string | string[] | undefined> }, res: Res, err: ConnectError, httpStatus?: number): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const type = String(req.headers["content-type"] ?? "").toLowerCase();
  const extra: Record<string, string> = {};
  err.metadata.forEach((v, k) => (extra[k] = v));
  if (type.startsWith("application/grpc")) {
    const status = { "grpc-status": String(err.code), "grpc-message": encodeURIComponent(err.rawMessage) };
    if (type.startsWith("application/grpc-web")) {
      // gRPC-Web reads a trailers-only response from the headers.
      res.writeHead(200, { ...extra, "content-type": "application/grpc-web+proto", ...status });
    } else {
      // gRPC (HTTP/2): headers, then the status in trailers, which every gRPC client reads.
      res.writeHead(200, { ...extra, "content-type": "application/grpc" });
      res.addTrailers(status);
    }
    res.end();
    return;
  }
  const status = httpStatus ?? httpStatusOf(err.code);
  const body = rpcPath.test(req.url ?? "")
    ? JSON.stringify({ code: codeToString(err.code), message: err.rawMessage })
    : JSON.stringify({ code: err.code, message: err.rawMessage, details: [] });
  res.writeHead(status, { ...extra, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}
