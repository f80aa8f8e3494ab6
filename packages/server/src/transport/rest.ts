// The REST gateway: routes and verbs come from each method's google.api.http annotation (read generically from
// the descriptors, as grpc-gateway does for flyteadmin), requests and responses are protobuf JSON with proto field
// names and unpopulated fields emitted (flyteadmin's gateway settings), or binary protobuf for
// application/octet-stream.
import type http from "node:http";
import type http2 from "node:http2";
import { ScalarType, fromBinary, fromJson, getOption, toBinary, toJson, type DescField, type DescMessage, type DescMethod, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { googleapi } from "@aloft/idl";
import { httpStatusOf, toConnectError } from "../status.ts";
import { InvalidArgumentError, ResourceExhaustedError, UnimplementedError } from "../errors.ts";
import { parsePathTemplate, type PathTemplate } from "./path-template.ts";
import type { ServiceBinding, UnaryHandler } from "./binding.ts";
import { withErrorId } from "./error-id.ts";
import type { Logger } from "pino";

interface Route {
  verb: string;
  template: PathTemplate;
  /** "" (no body), "*" (whole message) or one top-level field name. */
  body: string;
  method: DescMethod;
  handler: UnaryHandler | undefined;
}

export interface RestGateway {
  /** Returns false when no REST route claims the path, so another handler may answer. */
  handle(req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse): Promise<boolean>;
  routes(): { verb: string; path: string; method: string }[];
}

export function createRestGateway(bindings: ServiceBinding[], options: { maxBodyBytes: number; log?: Logger }): RestGateway {
  const routes: Route[] = [];
  for (const { service, handlers } of bindings) {
    for (const method of service.methods) {
      const rule = getOption(method, googleapi.http);
      for (const r of [rule, ...rule.additionalBindings]) {
        if (r.pattern.case === undefined) continue;
        if (r.pattern.case === "custom") throw new Error(`custom HTTP verb on ${method.name} is not supported`);
        routes.push({
          verb: r.pattern.case.toUpperCase(),
          template: parsePathTemplate(r.pattern.value),
          body: r.body,
          method,
          handler: handlers[method.localName],
        });
      }
    }
  }
  // More literal segments first, so /executions/relaunch wins over /executions/{id.project}.
  routes.sort((a, b) => a.template.variables.length - b.template.variables.length);

  return {
    routes: () => routes.map((r) => ({ verb: r.verb, path: r.template.source, method: `${r.method.parent.typeName}.${r.method.name}` })),
    async handle(req, res) {
      const url = new URL(req.url ?? "/", "http://localhost");
      const candidates = routes.flatMap((r) => {
        const params = r.template.match(url.pathname);
        return params ? [{ route: r, params }] : [];
      });
      if (candidates.length === 0) return false;
      const verb = (req.method ?? "GET").toUpperCase();
      const hit = candidates.find((c) => c.route.verb === verb);
      const binary = (req.headers["content-type"] ?? "").toString().startsWith("application/octet-stream");
      const acceptsBinary = (req.headers["accept"] ?? "").toString().includes("application/octet-stream");
      if (!hit) {
        const allowed = [...new Set(candidates.map((c) => c.route.verb))].join(", ");
        writeError(res, new ConnectError(`method ${verb} not allowed on ${url.pathname} (allowed: ${allowed})`, Code.Unimplemented), 405);
        return true;
      }
      try {
        const { route, params } = hit;
        const raw = await readBody(req, options.maxBodyBytes);
        if (!route.handler) throw new UnimplementedError(`${route.method.parent.name}.${route.method.name} is not implemented by Aloft`);
        const input = buildRequest(route, params, url.searchParams, raw, binary);
        const controller = new AbortController();
        res.on("close", () => controller.abort());
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && !k.startsWith(":")) headers.set(k, v);
        const output = await route.handler(input, { signal: controller.signal, headers });
        if (acceptsBinary) {
          const bytes = toBinary(route.method.output, output);
          res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(bytes.byteLength) });
          res.end(bytes);
        } else {
          const text = JSON.stringify(toJson(route.method.output, output, { useProtoFieldName: true, alwaysEmitImplicit: true }));
          res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
          res.end(text);
        }
      } catch (e) {
        writeError(res, withErrorId(toConnectError(e), options.log, `${verb} ${url.pathname}`));
      }
      return true;
    },
  };
}

function writeError(res: http.ServerResponse | http2.Http2ServerResponse, err: ConnectError, status?: number): void {
  // grpc-gateway's error body: the gRPC code number, the message, and (empty) details.
  const text = JSON.stringify({ code: err.code, message: err.rawMessage, details: [] });
  if (res.headersSent) {
    res.end();
    return;
  }
  const extra: Record<string, string> = {};
  err.metadata.forEach((v, k) => (extra[k] = v));
  res.writeHead(status ?? httpStatusOf(err.code), { ...extra, "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}

async function readBody(req: http.IncomingMessage | http2.Http2ServerRequest, max: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > max) throw new ResourceExhaustedError(`request body of ${declared} bytes exceeds the limit of ${max} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new ResourceExhaustedError(`request body exceeds the limit of ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function buildRequest(route: Route, params: Map<string, string>, query: URLSearchParams, raw: Buffer, binary: boolean) {
  const schema = route.method.input;
  let json: JsonObject = {};
  if (route.body !== "" && raw.length > 0) {
    if (binary) {
      if (route.body !== "*") throw new InvalidArgumentError("binary request bodies are only accepted for whole-message bodies");
      let message;
      try {
        message = fromBinary(schema, raw);
      } catch (e) {
        throw new InvalidArgumentError(`request body is not a valid ${schema.typeName}: ${(e as Error).message}`);
      }
      json = toJson(schema, message, { useProtoFieldName: true }) as JsonObject;
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString("utf8"));
      } catch (e) {
        throw new InvalidArgumentError(`request body is not valid JSON: ${(e as Error).message}`);
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new InvalidArgumentError("request body must be a JSON object");
      json = route.body === "*" ? (parsed as JsonObject) : { [route.body]: parsed as JsonValue };
    }
  }
  for (const [path, value] of params) setPath(schema, json, path.split("."), [value], `path parameter ${path}`, true);
  if (route.body !== "*") {
    for (const key of new Set(query.keys())) setPath(schema, json, key.split("."), query.getAll(key), `query parameter ${key}`, false);
  }
  try {
    return fromJson(schema, json);
  } catch (e) {
    throw new InvalidArgumentError(`invalid ${schema.typeName}: ${(e as Error).message}`);
  }
}

function findField(message: DescMessage, name: string): DescField | undefined {
  return message.fields.find((f) => f.name === name || f.jsonName === name);
}

/** Places string values from a URL into the JSON object at a field path, typed by the field's descriptor. */
function setPath(schema: DescMessage, json: JsonObject, path: string[], values: string[], what: string, override: boolean): void {
  let message = schema;
  let target = json;
  for (let i = 0; i < path.length; i++) {
    const field = findField(message, path[i]!);
    if (!field) throw new InvalidArgumentError(`unknown ${what}: ${message.typeName} has no field ${path[i]}`);
    const last = i === path.length - 1;
    if (!last) {
      if (field.fieldKind !== "message") throw new InvalidArgumentError(`${what}: ${field.name} is not a message`);
      const next = target[field.name];
      if (next === undefined || next === null || typeof next !== "object" || Array.isArray(next)) target[field.name] = {};
      target = target[field.name] as JsonObject;
      message = field.message;
      continue;
    }
    const converted = values.map((v) => scalarJson(field, v, what));
    if (field.fieldKind === "list") target[field.name] = converted;
    else if (values.length > 1) throw new InvalidArgumentError(`${what} given ${values.length} times but ${field.name} is not repeated`);
    else if (override || target[field.name] === undefined) target[field.name] = converted[0]!;
  }
}

function scalarJson(field: DescField, value: string, what: string): JsonValue {
  const kind = field.fieldKind === "list" ? field.listKind : field.fieldKind;
  if (kind === "enum") return /^-?\d+$/.test(value) ? Number(value) : value;
  if (kind === "scalar") {
    const scalar = field.fieldKind === "list" || field.fieldKind === "scalar" ? field.scalar : undefined;
    // Strings stay strings; protobuf JSON accepts numbers in string form.
    if (scalar === ScalarType.BOOL) {
      if (value === "true" || value === "false") return value === "true";
      throw new InvalidArgumentError(`${what}: expected true or false, got ${JSON.stringify(value)}`);
    }
    return value;
  }
  if (kind === "message") return value; // well-known types (Timestamp, Duration) parse from their string form
  throw new InvalidArgumentError(`${what}: ${field.name} cannot be set from a URL`);
}
