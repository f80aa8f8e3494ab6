import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { blobStoreContract, patternStream } from "./blob-store.contract.ts";
import { FileSystemBlobStore } from "./fs-store.ts";
import { verifyBlobUrl } from "./signing.ts";

let dir: string;
let store: FileSystemBlobStore;
let run = 0;
const signing = { baseUrl: "http://127.0.0.1:8088/blobs", secret: "0123456789abcdef0123456789abcdef" };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "aloft-fs-store-"));
  store = new FileSystemBlobStore({ root: `file://${dir}`, signing });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  run++;
});

blobStoreContract("FileSystemBlobStore", () => ({ store, base: `file://${dir}/run-${run}` }));

describe("FileSystemBlobStore", () => {
  it("refuses URIs outside its root and the root itself", async () => {
    await expect(store.get("file:///etc/passwd")).rejects.toThrow(/not a blob under the store root/);
    await expect(store.get(`file://${dir}`)).rejects.toMatchObject({ code: "INVALID_URI" });
    await expect(store.get("s3://bucket/key")).rejects.toThrow(/this store holds file:\/\/ URIs/);
  });

  it("refuses a put whose bytes do not match the announced MD5", async () => {
    const md5 = createHash("md5").update("right").digest("base64");
    await expect(store.put(`file://${dir}/md5/p.txt`, new TextEncoder().encode("wrong"), { contentMd5: md5 })).rejects.toMatchObject({
      code: "BAD_DIGEST",
    });
    expect(await store.exists(`file://${dir}/md5/p.txt`)).toBe(false);
  });

  it("writes files a local process can read directly at the URI's path", async () => {
    await store.put(`file://${dir}/direct/x.txt`, new TextEncoder().encode("on disk"));
    const { readFile } = await import("node:fs/promises");
    expect(await readFile(join(dir, "direct/x.txt"), "utf8")).toBe("on disk");
  });

  it("leaves neither a partial blob nor a temp file when a stream fails", async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
        this.destroy(new Error("source broke"));
      },
    });
    await expect(store.writeStream(`file://${dir}/broken/out.bin`, failing)).rejects.toThrow(/source broke/);
    expect(await store.exists(`file://${dir}/broken/out.bin`)).toBe(false);
    expect(await readdir(join(dir, "broken"))).toEqual([]);
  });

  it("lists in byte order, like S3", async () => {
    for (const k of ["b/2", "b/1", "b.txt", "b0"]) await store.put(`file://${dir}/order/${k}`, new Uint8Array(1));
    const uris: string[] = [];
    for await (const b of store.list(`file://${dir}/order/b`)) uris.push(b.uri.slice(`file://${dir}/order/`.length));
    expect(uris).toEqual(["b.txt", "b/1", "b/2", "b0"]);
  });

  it("does not list directories or foreign temp files as blobs", async () => {
    await store.put(`file://${dir}/tmpcheck/real`, new Uint8Array(1));
    await writeFile(join(dir, "tmpcheck/.real.aloft-tmp-abc"), "partial");
    const uris: string[] = [];
    for await (const b of store.list(`file://${dir}/tmpcheck/`)) uris.push(b.uri);
    expect(uris).toEqual([`file://${dir}/tmpcheck/real`]);
    expect(await store.head(`file://${dir}/tmpcheck/sub`)).toBeUndefined();
  });

  it("signs URLs the server can verify, for the blob's key", async () => {
    const uri = `file://${dir}/up/file name.tgz`;
    const md5 = createHash("md5").update("body").digest("base64");
    const signed = await store.signedUrl(uri, { method: "PUT", expiresInSeconds: 60, contentMd5: md5 });
    expect(signed.url.startsWith("http://127.0.0.1:8088/blobs/up/file%20name.tgz?")).toBe(true);
    expect(signed.headers).toEqual({ "Content-MD5": md5 });
    const verified = verifyBlobUrl(signing, "PUT", signed.url);
    expect(verified.key).toBe("up/file name.tgz");
    expect(verified.contentMd5).toBe(md5);
    expect(store.uriForKey(verified.key)).toBe(uri);
  });

  it("refuses signed URLs without a signing config and bad expiry", async () => {
    const plain = new FileSystemBlobStore({ root: `file://${dir}` });
    await expect(plain.signedUrl(`file://${dir}/x`, { method: "GET", expiresInSeconds: 60 })).rejects.toMatchObject({ code: "UNSUPPORTED" });
    await expect(store.signedUrl(`file://${dir}/x`, { method: "GET", expiresInSeconds: 0 })).rejects.toThrow(/expiresInSeconds/);
  });

  it("rejects a root that is not an absolute file URI or is /", () => {
    expect(() => new FileSystemBlobStore({ root: "s3://bucket/x" })).toThrow(/needs a file:\/\/ root/);
    expect(() => new FileSystemBlobStore({ root: "file:///" })).toThrow(/cannot be a store root/);
  });

  it("streams a file larger than 64 MiB through without buffering it", async () => {
    const total = 80;
    const { source, digest } = patternStream(total);
    const before = process.memoryUsage().rss;
    const result = await store.writeStream(`file://${dir}/big/blob.bin`, source);
    const hash = createHash("sha256");
    for await (const chunk of await store.openRead(`file://${dir}/big/blob.bin`)) hash.update(chunk as Buffer);
    const growth = process.memoryUsage().rss - before;
    expect(result.size).toBe(total * 1024 * 1024);
    expect(hash.digest("hex")).toBe(digest());
    expect(growth).toBeLessThan(48 * 1024 * 1024);
  });
});
