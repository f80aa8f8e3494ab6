// The front door every HTTP request passes before any route: what a web page in the user's browser must not be
// able to do to a server on localhost. With authentication off (the local default) the only defences are here:
//   - Host: a DNS-rebinding page reaches 127.0.0.1 under the attacker's own name, so a Host that is not an IP
//     literal, a loopback name, this machine's name or a configured one is refused.
//   - Origin: a browser names the page that sent the request; other sites are refused unless configured (and then
//     answered with CORS headers).
//   - Content-Type: a cross-site "simple request" (text/plain, form encodings) needs no preflight, so writes
//     accept only the API's own content types.
import { hostname } from "node:os";
import { isIP } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { InvalidArgumentError } from "../errors.ts";

export interface FrontDoorPolicy {
  /** Host names allowed besides IP literals, loopback names and this machine's name; `*.example.com` matches subdomains, `*` any host. */
  allowedHosts: string[];
  /** Origins (`https://console.example.com`) whose pages may call the API; `*` allows every origin. */
  allowedOrigins: string[];
}

/** What the front door needs of a request: method, path and headers (names in lower case). */
export interface DoorRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A refusal: the code and message the client sees, and the HTTP status for plain HTTP clients. */
export interface Refusal {
  error: ConnectError;
  httpStatus: number;
}

const loopbackNames = new Set(["localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"]);

// The API's content types: JSON and binary protobuf (REST and Connect), gRPC, gRPC-Web and Connect streaming.
const apiContentType = /^application\/(json|octet-stream|proto|protobuf|x-protobuf|grpc(-web(-text)?)?(\+[a-z0-9.-]+)?|connect\+[a-z0-9.-]+)$/;

const writeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function header(req: DoorRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The host part of a Host header or :authority (`[::1]:8088` → `::1`, `Example.COM.:80` → `example.com`). */
export function hostOf(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith("[")) return a.slice(1, a.indexOf("]") > 0 ? a.indexOf("]") : undefined);
  const colon = a.lastIndexOf(":");
  // More than one colon without brackets is a bare IPv6 literal.
  const host = colon >= 0 && a.indexOf(":") === colon ? a.slice(0, colon) : a;
  return host.replace(/\.$/, "");
}

export function isAllowedHost(host: string, allowed: string[]): boolean {
  if (isIP(host) !== 0) return true;
  if (loopbackNames.has(host) || host.endsWith(".localhost")) return true;
  const own = hostname().toLowerCase();
  if (host === own || host === own.split(".")[0]) return true;
  return allowed.some((a) => a === "*" || a === host || (a.startsWith("*.") && host.endsWith(a.slice(1))));
}

function refusal(code: Code, httpStatus: number, message: string): Refusal {
  return { error: new ConnectError(message, code), httpStatus };
}

/**
 * Checks a request against the policy; undefined means it may pass. `exemptFromContentType` names paths whose
 * writes are authorized by something a page cannot forge (signed blob URLs), so any body type is accepted there.
 */
export function checkRequest(req: DoorRequest, policy: FrontDoorPolicy, exemptFromContentType: (path: string) => boolean = () => false): Refusal | undefined {
  const authority = header(req, ":authority") ?? header(req, "host");
  // A client that sends no Host at all is not a browser (browsers always send one), so rebinding is not possible.
  if (authority !== undefined && !isAllowedHost(hostOf(authority), policy.allowedHosts)) {
    return refusal(Code.PermissionDenied, 403, `host ${JSON.stringify(hostOf(authority))} is not allowed; add it with --allowed-hosts (or allowedHosts in the config file)`);
  }
  const origin = header(req, "origin");
  if (origin !== undefined && !isAllowedOrigin(origin, authority, policy.allowedOrigins)) {
    return refusal(Code.PermissionDenied, 403, `cross-origin request from ${JSON.stringify(origin)} refused; allow the origin with --allowed-origins (or allowedOrigins in the config file)`);
  }
  const method = req.method.toUpperCase();
  if (writeMethods.has(method) && !exemptFromContentType(req.path)) {
    const type = header(req, "content-type");
    const mime = type?.split(";")[0]!.trim().toLowerCase();
    const bodiless = type === undefined && header(req, "transfer-encoding") === undefined && Number(header(req, "content-length") ?? "0") === 0;
    // A body-less DELETE carries nothing a page could forge beyond what its URL says; anything else needs an API type.
    if (!(method === "DELETE" && bodiless) && (mime === undefined || !apiContentType.test(mime))) {
      return refusal(
        Code.InvalidArgument,
        415,
        `content-type ${type === undefined ? "(none)" : JSON.stringify(type)} is not accepted for ${method}; use application/json, binary protobuf, gRPC or Connect`,
      );
    }
  }
  return undefined;
}

/** Same-origin (the page was served by this server under the Host it is calling) or a configured origin. */
export function isAllowedOrigin(origin: string, authority: string | undefined, allowed: string[]): boolean {
  if (allowed.includes("*")) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes "null" (sandboxed frames, file: pages)
  }
  if (authority !== undefined && url.host === authority.trim().toLowerCase()) return true;
  return allowed.includes(url.origin);
}

/** Checks configured lists, naming the key, so a typo fails at start instead of refusing every request. */
export function checkPolicy(policy: FrontDoorPolicy): void {
  for (const h of policy.allowedHosts) {
    if (!/^(\*|(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/.test(h)) {
      throw new InvalidArgumentError(`allowedHosts: ${JSON.stringify(h)} is not a host name (lower case, no port), *.domain or *`);
    }
  }
  for (const o of policy.allowedOrigins) {
    if (o === "*") continue;
    let url: URL | undefined;
    try {
      url = new URL(o);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== o) {
      throw new InvalidArgumentError(`allowedOrigins: ${JSON.stringify(o)} is not an origin like https://console.example.com (scheme, host and port only, no trailing slash)`);
    }
  }
}
