// What a web page in the user's browser can make the server do (issue 17, item 1): a cross-site "simple request"
// cannot create a task, a DNS-rebinding page (a foreign Host) is refused, a configured origin gets CORS, and the
// API's own clients (gRPC as flytekit speaks it, Connect, REST with JSON) are unaffected.
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toJsonString } from "@bufbuild/protobuf";
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { admin, service } from "@aloft/idl";
import { startHarness, type Harness } from "../harness.ts";
import { startAloft } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { echoEntities } from "../fixtures/echo.ts";

let h: Harness;
let client: Client<typeof service.AdminService>;
const e = echoEntities("webproj", "development", "v1");
const taskJson = toJsonString(admin.TaskCreateRequestSchema, e.task);

/** A raw HTTP/1.1 request: fetch will not send a Host header of our choosing. */
function request(method: string, path: string, headers: Record<string, string>, body = "", port = h.server.port): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function taskCount(): Promise<number> {
  return (await client.listTasks({ id: { project: "webproj", domain: "development" }, limit: 100 })).tasks.length;
}

beforeAll(async () => {
  h = await startHarness({ server: { frontDoor: { allowedHosts: ["aloft.internal"], allowedOrigins: ["https://console.example.com"] } } });
  client = createClient(service.AdminService, createGrpcTransport({ baseUrl: h.server.url }));
  await client.registerProject({ project: { id: "webproj", name: "web" } });
});
afterAll(async () => h?.close());

describe("requests from browsers", () => {
  it("refuses a cross-site text/plain POST to /api/v1/tasks and creates nothing", async () => {
    const host = `127.0.0.1:${h.server.port}`;
    const site = await request("POST", "/api/v1/tasks", { host, origin: "https://evil.example", "content-type": "text/plain;charset=UTF-8" }, taskJson);
    expect(site.status).toBe(403);
    expect(JSON.parse(site.body).message).toContain("https://evil.example");
    // Without an Origin (an older browser, a form post from a privacy-stripping proxy) the content type refuses it.
    const plain = await request("POST", "/api/v1/tasks", { host, "content-type": "text/plain" }, taskJson);
    expect(plain.status).toBe(415);
    const form = await request("POST", "/api/v1/tasks", { host, "content-type": "application/x-www-form-urlencoded" }, taskJson);
    expect(form.status).toBe(415);
    expect(await taskCount()).toBe(0);
    // The same body as the API's own content type is accepted: the refusals above were about the request's origin.
    const ok = await request("POST", "/api/v1/tasks", { host, "content-type": "application/json" }, taskJson);
    expect(ok.status).toBe(200);
    expect(await taskCount()).toBe(1);
  });

  it("refuses a foreign Host (DNS rebinding), even same-origin to itself, and allows configured and loopback names", async () => {
    const port = h.server.port;
    const rebound = await request("POST", "/api/v1/executions", { host: `attacker.example:${port}`, origin: `http://attacker.example:${port}`, "content-type": "application/json" }, "{}");
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).message).toContain('host "attacker.example" is not allowed');
    expect((await request("GET", "/api/v1/projects", { host: `attacker.example:${port}` })).status).toBe(403);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `aloft.internal:${port}`, "app.localhost"]) {
      expect((await request("GET", "/api/v1/projects", { host })).status, host).toBe(200);
    }
  });

  it("answers a configured origin with CORS, preflight included, and refuses the preflight of another", async () => {
    const host = `127.0.0.1:${h.server.port}`;
    const pre = await request("OPTIONS", "/api/v1/projects", { host, origin: "https://console.example.com", "access-control-request-method": "POST", "access-control-request-headers": "content-type" });
    expect(pre.status).toBe(204);
    expect(pre.headers["access-control-allow-origin"]).toBe("https://console.example.com");
    expect(pre.headers["access-control-allow-headers"]).toBe("content-type");
    const get = await request("GET", "/api/v1/projects", { host, origin: "https://console.example.com" });
    expect(get.status).toBe(200);
    expect(get.headers["access-control-allow-origin"]).toBe("https://console.example.com");
    expect(get.headers["access-control-expose-headers"]).toContain("x-aloft-error-id");
    const other = await request("OPTIONS", "/api/v1/projects", { host, origin: "https://evil.example", "access-control-request-method": "POST" });
    expect(other.status).toBe(403);
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    // A page served by this server calling it under the same name is same-origin: no configuration needed.
    expect((await request("GET", "/api/v1/projects", { host, origin: `http://${host}` })).status).toBe(200);
  });

  it("keeps gRPC (as flytekit speaks it) and Connect working, and refuses a foreign gRPC authority in grpc-status", async () => {
    const connect = createClient(service.AdminService, createConnectTransport({ baseUrl: h.server.url, httpVersion: "1.1" }));
    expect((await connect.listProjects({})).projects.map((p) => p.id)).toContain("webproj");
    const call = (authority?: string) => {
      const raw = new grpc.Client(`127.0.0.1:${h.server.port}`, grpc.credentials.createInsecure(), authority ? { "grpc.default_authority": authority } : {});
      return new Promise<{ err: grpc.ServiceError | null }>((resolve) =>
        raw.makeUnaryRequest("/flyteidl.service.AdminService/ListProjects", (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(0), (err) => {
          raw.close();
          resolve({ err });
        }),
      );
    };
    expect((await call()).err).toBeNull();
    expect((await call("localhost:30080")).err).toBeNull();
    const { err } = await call("rebind.attacker.example");
    expect(err?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(err?.details).toContain("rebind.attacker.example");
  });

  it("takes its lists and limits from aloft start's configuration: --public-url's host is allowed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aloft-front-door-"));
    const config = loadConfig({ argv: ["--port", "0", "--data-dir", dir, "--log-level", "silent", "--public-url", "http://flyte.example.com:8088", "--allowed-hosts", "aloft.lan", "--max-upload-bytes", "10"], env: {} });
    const aloft = await startAloft(config);
    try {
      await aloft.ready;
      const port = aloft.server.port;
      expect((await request("GET", "/api/v1/projects", { host: "flyte.example.com:8088" }, "", port)).status).toBe(200);
      expect((await request("GET", "/api/v1/projects", { host: "aloft.lan" }, "", port)).status).toBe(200);
      expect((await request("GET", "/api/v1/projects", { host: "other.example" }, "", port)).status).toBe(403);
      const loc = await request("POST", "/api/v1/dataproxy/artifact_urn", { host: "flyte.example.com", "content-type": "application/json" }, JSON.stringify({ project: "flytesnacks", domain: "development", filename_root: "r", filename: "f" }), port);
      const signed = new URL(JSON.parse(loc.body).signed_url as string);
      expect(signed.host).toBe("flyte.example.com:8088");
      expect((await request("PUT", signed.pathname + signed.search, { host: signed.host }, "x".repeat(11), port)).status).toBe(413);
      expect((await request("PUT", signed.pathname + signed.search, { host: signed.host }, "x".repeat(10), port)).status).toBe(200);
    } finally {
      await aloft.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
