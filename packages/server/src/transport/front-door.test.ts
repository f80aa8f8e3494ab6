import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { checkPolicy, checkRequest, hostOf, type DoorRequest } from "./front-door.ts";

const policy = { allowedHosts: ["flyte.example.com", "*.corp.example"], allowedOrigins: ["https://console.example.com"] };
const req = (over: Partial<DoorRequest> & { headers?: DoorRequest["headers"] }): DoorRequest => ({ method: "GET", path: "/api/v1/projects", ...over, headers: { host: "localhost:8088", ...over.headers } });

describe("front door", () => {
  it("reads the host of Host and :authority values", () => {
    expect(hostOf("localhost:8088")).toBe("localhost");
    expect(hostOf("[::1]:8088")).toBe("::1");
    expect(hostOf("::1")).toBe("::1");
    expect(hostOf("Flyte.Example.COM.")).toBe("flyte.example.com");
  });

  it("allows IP literals, loopback names, this machine, configured names and wildcards; refuses others", () => {
    for (const host of ["127.0.0.1", "10.1.2.3:80", "[::1]:1", "localhost", "x.localhost", `${hostname()}:8088`, "flyte.example.com", "a.b.corp.example"]) {
      expect(checkRequest(req({ headers: { host } }), policy), host).toBeUndefined();
    }
    for (const host of ["evil.example", "corp.example", "flyte.example.com.evil.example", "localhost.evil.example"]) {
      const r = checkRequest(req({ headers: { host } }), policy);
      expect(r?.error.code, host).toBe(Code.PermissionDenied);
      expect(r?.httpStatus).toBe(403);
    }
    // HTTP/2 names the host in :authority.
    expect(checkRequest(req({ headers: { ":authority": "evil.example:8088", host: undefined } }), policy)?.httpStatus).toBe(403);
  });

  it("allows same-origin and configured origins only", () => {
    expect(checkRequest(req({ headers: { origin: "http://localhost:8088" } }), policy)).toBeUndefined();
    expect(checkRequest(req({ headers: { origin: "https://console.example.com" } }), policy)).toBeUndefined();
    for (const origin of ["http://localhost:9999", "https://console.example.com.evil.example", "null", "https://evil.example"]) {
      expect(checkRequest(req({ headers: { origin } }), policy)?.error.code, origin).toBe(Code.PermissionDenied);
    }
    expect(checkRequest(req({ headers: { origin: "https://anything.example" } }), { ...policy, allowedOrigins: ["*"] })).toBeUndefined();
  });

  it("accepts writes only with the API's content types", () => {
    const write = (method: string, type: string | undefined, extra: DoorRequest["headers"] = {}) =>
      checkRequest(req({ method, path: "/api/v1/tasks", headers: { ...(type !== undefined ? { "content-type": type } : {}), ...extra } }), policy)?.httpStatus;
    for (const t of ["application/json", "application/json; charset=utf-8", "application/octet-stream", "application/proto", "application/grpc", "application/grpc+proto", "application/grpc-web+proto", "application/connect+proto"]) {
      expect(write("POST", t), t).toBeUndefined();
    }
    for (const t of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx"]) {
      expect(write("POST", t), t).toBe(415);
    }
    expect(write("POST", undefined)).toBe(415);
    expect(write("PUT", "text/plain")).toBe(415);
    expect(write("DELETE", undefined)).toBeUndefined();
    expect(write("DELETE", undefined, { "content-length": "5" })).toBe(415);
    expect(write("GET", "text/plain")).toBeUndefined();
    // Signed URLs are authorized by their signature: any body type may be uploaded there.
    expect(checkRequest(req({ method: "PUT", path: "/blobs/x", headers: { "content-type": "text/plain" } }), policy, (p) => p.startsWith("/blobs/"))).toBeUndefined();
  });

  it("rejects malformed allow-lists naming the key", () => {
    expect(() => checkPolicy({ allowedHosts: ["flyte.example.com:8088"], allowedOrigins: [] })).toThrow(/^allowedHosts: "flyte.example.com:8088"/);
    expect(() => checkPolicy({ allowedHosts: [], allowedOrigins: ["https://console.example.com/"] })).toThrow(/^allowedOrigins:/);
    expect(() => checkPolicy({ allowedHosts: [], allowedOrigins: ["console.example.com"] })).toThrow(/^allowedOrigins:/);
    expect(() => checkPolicy({ allowedHosts: ["*", "*.a.b", "a-b.c"], allowedOrigins: ["*", "http://localhost:3000"] })).not.toThrow();
  });
});
