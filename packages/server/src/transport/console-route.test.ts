import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleRoute } from "./console-route.ts";
import { createHttpHandler } from "./http-handler.ts";
import { listen, type Listener } from "./listen.ts";

let dir: string;
let built: Listener;
let unbuilt: Listener;

function get(port: number, path: string, headers: Record<string, string> = {}, method = "GET"): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aloft-console-"));
  mkdirSync(join(dir, "site", "assets"), { recursive: true });
  writeFileSync(join(dir, "site", "index.html"), "<!doctype html><title>Aloft</title>");
  writeFileSync(join(dir, "site", "assets", "index-abc.js"), "console.log(1)");
  writeFileSync(join(dir, "site", "assets", "index-abc.css"), "body{}");
  writeFileSync(join(dir, "secret.txt"), "outside");
  built = await listen({ host: "127.0.0.1", port: 0, handler: createHttpHandler({ bindings: [], maxMessageBytes: 1024, extra: consoleRoute(join(dir, "site")) }) });
  unbuilt = await listen({ host: "127.0.0.1", port: 0, handler: createHttpHandler({ bindings: [], maxMessageBytes: 1024, extra: consoleRoute(join(dir, "missing")) }) });
});
afterAll(async () => {
  await built.close();
  await unbuilt.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the console at /", () => {
  it("serves index.html at / with a strict Content-Security-Policy", async () => {
    const res = await get(built.port, "/");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toContain("<title>Aloft</title>");
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("serves assets with their content types and a long cache life", async () => {
    const js = await get(built.port, "/assets/index-abc.js");
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toContain("immutable");
    expect(js.body).toBe("console.log(1)");
    expect((await get(built.port, "/assets/index-abc.css")).headers["content-type"]).toBe("text/css; charset=utf-8");
    expect((await get(built.port, "/assets/index-abc.js", {}, "HEAD")).headers["content-length"]).toBe("14");
  });

  it("answers client routes (deep links) with the app's page, and a missing asset with 404", async () => {
    const deep = await get(built.port, "/projects/flytesnacks/domains/development/executions/abc123");
    expect(deep.status).toBe(200);
    expect(deep.body).toContain("<title>Aloft</title>");
    expect((await get(built.port, "/assets/gone-123.js")).status).toBe(404);
  });

  it("never reads outside its directory", async () => {
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"]) {
      const res = await get(built.port, path);
      expect(res.body).not.toContain("outside");
    }
  });

  it("leaves API paths to the API", async () => {
    const res = await get(built.port, "/api/v1/projects");
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toBe("application/json");
    for (const path of ["/aloft/v1/cache/find", "/.well-known/oauth-authorization-server", "/oauth2/jwks", "/readyz"]) {
      expect((await get(built.port, path)).body, path).not.toContain("<title>");
    }
  });

  it("is behind the front door: a page under a rebinding host name is refused", async () => {
    const res = await get(built.port, "/", { host: "attacker.example:8088" });
    expect(res.status).toBe(403);
    expect(res.body).not.toContain("<title>");
  });

  it("says how to build the console when it was not built", async () => {
    const res = await get(unbuilt.port, "/executions");
    expect(res.status).toBe(503);
    expect(res.body).toContain("npm run build -w @aloft/console");
  });
});
