// The API server's HTTP routes, as it names them: discovery (/version, /api, /api/v1, /apis, /apis/{g}/{v}),
// and for each resource /api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]] (and /apis/{g}/{v}/…)
// with GET (get, list, ?watch=true), POST, PUT, PATCH and DELETE; pods/log. JSON only: clients ask for JSON
// when protobuf is not offered, and `kubectl get` prints plain lists when no Table comes back.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, badRequest } from "./errors.ts";
import type { SimulatedKubelet } from "./kubelet.ts";
import { apiVersionOf, RESOURCES, type ResourceType } from "./resources.ts";
import { parseFieldSelector, parseLabelSelector, SelectorError, type KubeObject } from "./selectors.ts";
import type { Cluster, Obj, WatchEvent } from "./store.ts";
import { toTable, wantsTable } from "./table.ts";

export interface RouteContext {
  cluster: Cluster;
  kubelet: SimulatedKubelet;
  /** Interval of BOOKMARK events on watches that ask for them. */
  bookmarkMs: number;
  /** Every request, for tests that check what clients asked (method and path with query). */
  onRequest?: (method: string, url: string) => void;
  /** Open watch responses, closed when the simulator stops. */
  watches: Set<ServerResponse>;
}

const MAX_BODY = 8 * 1024 * 1024;

export async function handle(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://sim");
  ctx.onRequest?.(req.method ?? "GET", `${url.pathname}${url.search}`);
  try {
    if (await discovery(url.pathname, res)) return;
    const route = parseResourcePath(url.pathname);
    if (!route) throw new ApiError(404, "NotFound", `the server could not find the requested resource (${req.method} ${url.pathname})`);
    await resource(ctx, route, url, req, res);
  } catch (e) {
    if (res.headersSent) {
      res.end();
      return;
    }
    const err = e instanceof ApiError ? e : e instanceof SelectorError ? badRequest(e.message) : new ApiError(500, "InternalError", (e as Error).message);
    json(res, err.code, err.toStatus());
  }
}

interface Route {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

function parseResourcePath(path: string): Route | undefined {
  const parts = path.split("/").filter((p) => p !== "").map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 3) [group, version, rest] = ["", parts[1]!, parts.slice(2)];
  else if (parts[0] === "apis" && parts.length >= 4) [group, version, rest] = [parts[1]!, parts[2]!, parts.slice(3)];
  else return undefined;
  const types = RESOURCES.filter((r) => r.group === group && r.version === version);
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3 && types.some((r) => r.namespaced && r.plural === rest[2])) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const t = types.find((r) => r.plural === rest[0]);
  if (!t || (namespace !== undefined && !t.namespaced)) return undefined;
  const sub = rest[2];
  if (rest.length > 3 || (sub !== undefined && !t.subresources.includes(sub))) return undefined;
  return { type: t, namespace, name: rest[1], subresource: sub };
}

async function discovery(path: string, res: ServerResponse): Promise<boolean> {
  const p = path.replace(/\/+$/, "") || "/";
  if (p === "/version") {
    json(res, 200, { major: "1", minor: "32", gitVersion: "v1.32.0-aloft-simulator", platform: `${process.platform}/${process.arch}` });
    return true;
  }
  if (p === "/healthz" || p === "/readyz" || p === "/livez") {
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    return true;
  }
  if (p === "/api") {
    json(res, 200, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }] });
    return true;
  }
  const groups = [...new Set(RESOURCES.filter((r) => r.group !== "").map((r) => r.group))];
  if (p === "/apis") {
    json(res, 200, {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: groups.map((g) => {
        const versions = [...new Set(RESOURCES.filter((r) => r.group === g).map((r) => r.version))].map((v) => ({ groupVersion: `${g}/${v}`, version: v }));
        return { name: g, versions, preferredVersion: versions[0] };
      }),
    });
    return true;
  }
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(p);
  if (m) {
    const [group, version] = m[1] ? ["", m[1]] : [m[2]!, m[3]!];
    const types = RESOURCES.filter((r) => r.group === group && r.version === version);
    if (types.length === 0) return false;
    const verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    json(res, 200, {
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: group === "" ? version : `${group}/${version}`,
      resources: types.flatMap((r) => [
        { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs, ...(r.shortNames.length ? { shortNames: r.shortNames } : {}) },
        ...r.subresources.map((s) => ({ name: `${r.plural}/${s}`, singularName: "", namespaced: r.namespaced, kind: s === "log" ? "Pod" : r.kind, verbs: s === "log" ? ["get"] : ["get", "patch", "update"] })),
      ]),
    });
    return true;
  }
  return false;
}

async function resource(ctx: RouteContext, route: Route, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const store = ctx.cluster.stores.get(route.type)!;
  const q = url.searchParams;
  const dryRun = q.get("dryRun") === "All";
  const { namespace: ns, name, subresource } = route;
  const method = req.method ?? "GET";
  if (subresource === "log") {
    if (method !== "GET") throw new ApiError(405, "MethodNotAllowed", `${method} is not allowed on pods/log`);
    store.get(ns, name!);
    let text = ctx.kubelet.log(ns!, name!) ?? "";
    const tail = q.get("tailLines");
    if (tail !== null) text = text.split("\n").slice(-(Number(tail) + (text.endsWith("\n") ? 1 : 0))).join("\n");
    res.writeHead(200, { "content-type": "text/plain" }).end(text);
    return;
  }
  switch (method) {
    case "GET":
      if (q.get("watch") === "true" || q.get("watch") === "1") return watch(ctx, route, q, res);
      if (name !== undefined) {
        const obj = store.get(ns, name);
        return json(res, 200, wantsTable(req.headers.accept) ? toTable(route.type.kind, [obj], String(ctx.cluster.currentRv())) : obj);
      }
      {
        const list = store.list(ns, both(q));
        if (wantsTable(req.headers.accept)) return json(res, 200, toTable(route.type.kind, list.items, list.resourceVersion));
        return json(res, 200, { kind: `${route.type.kind}List`, apiVersion: apiVersionOf(route.type), metadata: { resourceVersion: list.resourceVersion }, items: list.items.map(stripType) });
      }
    case "POST":
      if (name !== undefined) throw new ApiError(405, "MethodNotAllowed", "POST names a collection");
      return json(res, 201, store.create(ns, (await body(req)) as Obj, { dryRun }));
    case "PUT":
      if (name === undefined) throw new ApiError(405, "MethodNotAllowed", "PUT needs a name");
      return json(res, 200, store.update(ns, name, (await body(req)) as Obj, { dryRun, ...(subresource ? { subresource } : {}) }));
    case "PATCH": {
      if (name === undefined) throw new ApiError(405, "MethodNotAllowed", "PATCH needs a name");
      const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
      if (type !== "application/merge-patch+json" && type !== "application/strategic-merge-patch+json") {
        throw new ApiError(415, "UnsupportedMediaType", `the simulator supports merge and strategic merge patches, not ${type || "no content type"}`);
      }
      return json(res, 200, store.patch(ns, name, await body(req), { dryRun, ...(subresource ? { subresource } : {}) }));
    }
    case "DELETE": {
      if (name === undefined) {
        const list = store.list(ns, both(q));
        for (const o of list.items) store.delete(ns, o.metadata.name!, { dryRun });
        return json(res, 200, { kind: `${route.type.kind}List`, apiVersion: apiVersionOf(route.type), metadata: { resourceVersion: String(ctx.cluster.currentRv()) }, items: list.items.map(stripType) });
      }
      const opts = (await body(req, true)) as { propagationPolicy?: string; preconditions?: { uid?: string } } | undefined;
      const policy = q.get("propagationPolicy") ?? opts?.propagationPolicy;
      const deleted = store.delete(ns, name, { dryRun, orphan: policy === "Orphan", ...(opts?.preconditions?.uid ? { preconditionUid: opts.preconditions.uid } : {}) });
      return json(res, 200, deleted);
    }
    default:
      throw new ApiError(405, "MethodNotAllowed", `${method} is not supported`);
  }
}

function both(q: URLSearchParams) {
  const labels = parseLabelSelector(q.get("labelSelector"));
  const fields = parseFieldSelector(q.get("fieldSelector"));
  return (o: KubeObject) => labels(o) && fields(o);
}

function watch(ctx: RouteContext, route: Route, q: URLSearchParams, res: ServerResponse): void {
  const store = ctx.cluster.stores.get(route.type)!;
  const matches = both(q);
  const selector = route.name === undefined ? matches : (o: KubeObject) => o.metadata?.name === route.name && matches(o);
  const events: WatchEvent[] = [];
  let write = (e: WatchEvent) => void events.push(e);
  let stop: () => void;
  try {
    stop = store.watch(route.namespace, q.get("resourceVersion") ?? undefined, selector, (e) => write(e));
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 410) throw e;
    // The API server answers an expired version inside the watch stream, as an ERROR event.
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    res.end(`${JSON.stringify({ type: "ERROR", object: e.toStatus() })}\n`);
    return;
  }
  res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
  // Clients wait for the response headers before they count a watch as open.
  res.flushHeaders();
  ctx.watches.add(res);
  write = (e) => void res.write(`${JSON.stringify(e)}\n`);
  for (const e of events) write(e);
  const timers: NodeJS.Timeout[] = [];
  if (q.get("allowWatchBookmarks") === "true") {
    timers.push(
      setInterval(() => write({ type: "BOOKMARK", object: { kind: route.type.kind, apiVersion: apiVersionOf(route.type), metadata: { resourceVersion: String(ctx.cluster.currentRv()) } } }), ctx.bookmarkMs),
    );
  }
  const timeout = Number(q.get("timeoutSeconds") ?? 0);
  if (timeout > 0) timers.push(setTimeout(() => res.end(), timeout * 1000));
  const close = () => {
    stop();
    for (const t of timers) clearTimeout(t);
    ctx.watches.delete(res);
  };
  res.on("close", close);
}

function stripType(o: Obj): Obj {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest as Obj;
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function body(req: IncomingMessage, optional = false): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, "RequestEntityTooLarge", "request body too large");
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") {
    if (optional) return undefined;
    throw badRequest("the request has no body");
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body is not JSON: ${(e as Error).message}`);
  }
}
