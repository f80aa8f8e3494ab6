// Plain-HTTP routes for operators on the server's own port: GET /healthz (the process answers), GET /readyz (it can
// serve: started, database reachable, engine not paused on a store fault) and GET /metrics (Prometheus text). They
// pass the front door as any GET does (Host checked; no API content type needed) and never wait for the application:
// a probe must get an answer while the database starts or is away.
import type http from "node:http";
import type http2 from "node:http2";
import type { ServerMetrics } from "./metrics.ts";

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

/** Why the server cannot serve now (undefined: it can), and when to ask again. */
export interface Unready {
  reason: string;
  retryAfterSeconds: number;
}

export interface HealthSources {
  /** Resolves undefined when ready, or the reason it is not; must answer within a second or so. */
  readiness(): Promise<Unready | undefined>;
  metrics?: ServerMetrics;
}

function reply(res: Res, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", "content-length": String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** The route: true when it answered the request. */
export function healthRoute(sources: HealthSources): (req: Req, res: Res) => Promise<boolean> {
  return async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/healthz" && path !== "/readyz" && path !== "/metrics") return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      reply(res, 405, JSON.stringify({ status: "error", reason: `${path} answers GET only` }), { allow: "GET, HEAD" });
      return true;
    }
    if (path === "/healthz") {
      reply(res, 200, JSON.stringify({ status: "ok" }));
      return true;
    }
    if (path === "/readyz") {
      const unready = await sources.readiness().catch((e: unknown): Unready => ({ reason: `readiness check failed: ${(e as Error).message}`, retryAfterSeconds: 1 }));
      if (unready) reply(res, 503, JSON.stringify({ status: "unavailable", reason: unready.reason }), { "retry-after": String(unready.retryAfterSeconds) });
      else reply(res, 200, JSON.stringify({ status: "ready" }));
      return true;
    }
    if (!sources.metrics) {
      reply(res, 404, JSON.stringify({ status: "error", reason: "metrics are not collected by this server" }));
      return true;
    }
    const { contentType, body } = await sources.metrics.scrape();
    res.writeHead(200, { "content-type": contentType, "cache-control": "no-store", "content-length": String(Buffer.byteLength(body)) });
    res.end(body);
    return true;
  };
}
