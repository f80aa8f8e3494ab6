// Signed blob PUTs (issue 17, items 4 and 5): streamed to the store with bounded memory, a size limit, the signed
// MD5 checked, a bounded number at once, and upload names that cannot land anywhere but where they were signed.
import http from "node:http";
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { service } from "@aloft/idl";
import { startHarness, type Harness } from "../harness.ts";

const MiB = 1024 * 1024;
let h: Harness;
let proxy: Client<typeof service.DataProxyService>;
beforeAll(async () => {
  h = await startHarness({ server: { maxUploadBytes: 400 * MiB, maxConcurrentUploads: 1 } });
  proxy = createClient(service.DataProxyService, createGrpcTransport({ baseUrl: h.server.url }));
});
afterAll(async () => h?.close());

/** PUTs `total` bytes of a repeated chunk, written as the socket drains (nothing held client-side); `hold` delays the end. */
function put(url: string, total: number, headers: Record<string, string> = {}, hold?: Promise<void>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "PUT", headers: { "content-length": String(total), ...headers } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    const chunk = Buffer.alloc(MiB, 7);
    let sent = 0;
    // With `hold`, the last byte waits for it: the server sees the upload in progress until then.
    const body = hold ? total - 1 : total;
    const pump = () => {
      while (sent < body) {
        const n = Math.min(chunk.length, body - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      void (hold ?? Promise.resolve()).then(() => req.end(hold ? chunk.subarray(0, 1) : undefined));
    };
    pump();
  });
}

const sign = async (key: string, contentMd5?: string) =>
  (await h.ctx.blobs.signedUrl(`${h.ctx.layout.base}/${key}`, { method: "PUT", expiresInSeconds: 600, ...(contentMd5 ? { contentMd5 } : {}) })).url;

describe("signed blob uploads", () => {
  it("streams a 300 MiB PUT to disk with RSS growth under 100 MiB", async () => {
    const url = await sign("big/300m.bin");
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const t0 = performance.now();
    const r = await put(url, 300 * MiB);
    clearInterval(sampler);
    const growth = (peak - before) / MiB;
    console.log(`300 MiB PUT: ${Math.round(performance.now() - t0)} ms, RSS growth ${growth.toFixed(1)} MiB`);
    expect(r.status).toBe(200);
    expect(statSync(fileURLToPath(`${h.ctx.layout.base}/big/300m.bin`)).size).toBe(300 * MiB);
    expect(growth).toBeLessThan(100);
  }, 60_000);

  it("refuses a body over the limit with 413 and stores nothing, whether or not its length is declared", async () => {
    const declared = await put(await sign("big/declared.bin"), 401 * MiB);
    expect(declared.status).toBe(413);
    // A lying Content-Length is caught by Node's parser; a chunked body is counted as it streams.
    const url = await sign("big/chunked.bin");
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(url, { method: "PUT" }, (res) => resolve(res.statusCode ?? 0));
      req.on("error", reject);
      const chunk = Buffer.alloc(MiB);
      let n = 0;
      const pump = () => {
        while (n++ < 420) if (!req.write(chunk)) return void req.once("drain", pump);
        req.end();
      };
      pump();
    });
    expect(chunked).toBe(413);
    expect(existsSync(fileURLToPath(`${h.ctx.layout.base}/big/chunked.bin`))).toBe(false);
  }, 60_000);

  it("checks the signed Content-MD5 against the body", async () => {
    const body = Buffer.alloc(3 * MiB, 7);
    const md5 = createHash("md5").update(body).digest("base64");
    const url = await sign("md5/ok.bin", md5);
    expect((await put(url, 3 * MiB)).status).toBe(400); // header missing
    expect((await put(url, 3 * MiB + 1, { "content-md5": md5 })).status).toBe(400); // different body
    expect(existsSync(fileURLToPath(`${h.ctx.layout.base}/md5/ok.bin`))).toBe(false);
    expect((await put(url, 3 * MiB, { "content-md5": md5 })).status).toBe(200);
  });

  it("answers 429 to an upload beyond the concurrent limit instead of queueing it", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = put(await sign("busy/1.bin"), 2 * MiB, {}, held);
    await new Promise((r) => setTimeout(r, 200));
    const second = await put(await sign("busy/2.bin"), MiB);
    expect(second.status).toBe(429);
    release();
    expect((await first).status).toBe(200);
    expect((await put(await sign("busy/2.bin"), MiB)).status).toBe(200);
  });

  it("rejects '.', '..' and empty segments in upload names at signing, naming the field", async () => {
    const err = async (p: Promise<unknown>) => (await p.then(() => undefined, (e: unknown) => e)) as ConnectError;
    const dot = await err(proxy.createUploadLocation({ project: "p", domain: "development", filenameRoot: ".", filename: "." }));
    expect(dot.code).toBe(Code.InvalidArgument);
    expect(dot.rawMessage).toMatch(/^filename_root must not have empty, "\." or "\.\." path segments/);
    for (const [req, field] of [
      [{ filenameRoot: "r", filename: ".." }, "filename"],
      [{ filenameRoot: "a//b", filename: "f" }, "filename_root"],
      [{ filenameRoot: "a/../b", filename: "f" }, "filename_root"],
      [{ filenameRoot: "a/", filename: "f" }, "filename_root"],
      [{ filenameRoot: "r", filename: "f", project: ".." }, "project"],
    ] as const) {
      const e = await err(proxy.createUploadLocation({ project: "p", domain: "development", ...req }));
      expect(e.code).toBe(Code.InvalidArgument);
      expect(e.rawMessage.startsWith(field), e.rawMessage).toBe(true);
    }
    // A name with a nested root is fine, and its bytes land exactly at the native URL.
    const loc = await proxy.createUploadLocation({ project: "p", domain: "development", filenameRoot: "a/b", filename: "f.txt" });
    expect((await fetch(loc.signedUrl, { method: "PUT", body: "hello" })).status).toBe(200);
    expect(Buffer.from((await h.ctx.blobs.get(loc.nativeUrl))!).toString()).toBe("hello");
    expect(loc.nativeUrl).toMatch(/\/uploads\/p\/development\/a\/b\/f\.txt$/);
  });
});
