import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveSignedBlobRequest } from "./blob-route.ts";
import { FileSystemBlobStore } from "./fs-store.ts";

let dir: string;
let store: FileSystemBlobStore;
const signing = { baseUrl: "http://127.0.0.1:8088/api/v1/blobs", secret: "s".repeat(40) };
const md5 = (s: string) => createHash("md5").update(s).digest("base64");
const put = (url: string, body: string, headers: Record<string, string>) =>
  new Request(url, { method: "PUT", body, headers, duplex: "half" } as RequestInit);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "aloft-route-"));
  store = new FileSystemBlobStore({ root: `file://${dir}`, signing });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("serveSignedBlobRequest", () => {
  it("accepts an upload whose body matches the signed MD5, then serves it for download", async () => {
    const uri = `file://${dir}/uploads/p/d/root/bundle.tgz`;
    const signed = await store.signedUrl(uri, { method: "PUT", expiresInSeconds: 60, contentMd5: md5("bundle bytes") });
    const res = await serveSignedBlobRequest(store, put(signed.url, "bundle bytes", signed.headers));
    expect(res.status).toBe(200);
    const get = await store.signedUrl(uri, { method: "GET", expiresInSeconds: 60 });
    const down = await serveSignedBlobRequest(store, new Request(get.url));
    expect(down.status).toBe(200);
    expect(down.headers.get("content-length")).toBe("12");
    expect(await down.text()).toBe("bundle bytes");
    const head = await serveSignedBlobRequest(store, new Request(get.url, { method: "HEAD" }));
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("12");
  });

  it("refuses a body that does not match the signed MD5 and stores nothing", async () => {
    const uri = `file://${dir}/uploads/bad.bin`;
    const signed = await store.signedUrl(uri, { method: "PUT", expiresInSeconds: 60, contentMd5: md5("expected") });
    const res = await serveSignedBlobRequest(store, put(signed.url, "something else", signed.headers));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/has MD5 .*, expected/);
    expect(await store.exists(uri)).toBe(false);
    const noHeader = await serveSignedBlobRequest(store, put(signed.url, "expected", {}));
    expect(noHeader.status).toBe(400);
    expect(await noHeader.text()).toMatch(/Content-MD5 header must be/);
  });

  it("answers 403 for tampered or expired URLs, 404 for missing blobs, 405 for other methods", async () => {
    const uri = `file://${dir}/dl/x.txt`;
    await store.put(uri, new TextEncoder().encode("x"));
    const get = await store.signedUrl(uri, { method: "GET", expiresInSeconds: 60 });
    const tampered = get.url.replace("/dl/x.txt", "/dl/y.txt");
    expect((await serveSignedBlobRequest(store, new Request(tampered))).status).toBe(403);
    const expired = await serveSignedBlobRequest(store, new Request(get.url), new Date(Date.now() + 120_000));
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/expired/);
    expect((await serveSignedBlobRequest(store, put(get.url, "overwrite", {}))).status).toBe(403);
    const missing = await store.signedUrl(`file://${dir}/dl/none.txt`, { method: "GET", expiresInSeconds: 60 });
    expect((await serveSignedBlobRequest(store, new Request(missing.url))).status).toBe(404);
    expect((await serveSignedBlobRequest(store, new Request(get.url, { method: "DELETE" }))).status).toBe(405);
  });
});
