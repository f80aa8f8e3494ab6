// The S3 store against a real S3 protocol server (s3rver) on loopback, started in a child process.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { blobStoreContract, patternStream } from "../../src/blob-store.contract.ts";
import { createBlobStore } from "../../src/factory.ts";
import { S3BlobStore } from "../../src/s3-store.ts";
import { startS3rver, type RunningS3 } from "./s3rver.ts";

const BUCKET = "aloft-test";
// s3rver's built-in account.
const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

let s3: RunningS3;
let store: S3BlobStore;
let run = 0;

beforeAll(async () => {
  s3 = await startS3rver([BUCKET]);
  store = new S3BlobStore({
    root: `s3://${BUCKET}/root`,
    endpoint: s3.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials,
    partSizeBytes: 5 * 1024 * 1024,
    queueSize: 2,
  });
});
afterAll(async () => {
  store?.destroy();
  await s3?.stop();
});
beforeEach(() => {
  run++;
});

blobStoreContract("S3BlobStore", () => ({ store, base: `s3://${BUCKET}/run-${run}` }));

describe("S3BlobStore", () => {
  it("streams a file larger than 64 MiB as a multipart upload without buffering it", async () => {
    const total = 80;
    const { source, digest } = patternStream(total);
    const before = process.memoryUsage().rss;
    const result = await store.writeStream(`s3://${BUCKET}/big/blob.bin`, source);
    const hash = createHash("sha256");
    for await (const chunk of await store.openRead(`s3://${BUCKET}/big/blob.bin`)) hash.update(chunk as Buffer);
    const growth = process.memoryUsage().rss - before;
    expect(result.size).toBe(total * 1024 * 1024);
    expect(result.parts).toBe(16); // 80 MiB in 5 MiB parts
    expect((await store.head(`s3://${BUCKET}/big/blob.bin`))?.size).toBe(total * 1024 * 1024);
    expect(hash.digest("hex")).toBe(digest());
    expect(growth).toBeLessThan(64 * 1024 * 1024);
  });

  it("lists across pages", async () => {
    const paged = new S3BlobStore({ root: `s3://${BUCKET}`, endpoint: s3.endpoint, forcePathStyle: true, credentials, listPageSize: 2 });
    try {
      for (const k of ["a", "b", "c", "d", "e"]) await paged.put(`s3://${BUCKET}/paged/${k}`, new Uint8Array(1));
      const seen: string[] = [];
      for await (const info of paged.list(`s3://${BUCKET}/paged/`)) seen.push(info.uri.slice(-1));
      expect(seen.sort()).toEqual(["a", "b", "c", "d", "e"]);
    } finally {
      paged.destroy();
    }
  });

  it("writes a small stream with a single PUT", async () => {
    const { source } = patternStream(1);
    expect(await store.writeStream(`s3://${BUCKET}/small/one.bin`, source)).toEqual({ size: 1024 * 1024, parts: 1 });
  });

  it("hands out signed URLs that plain fetch can GET and PUT", async () => {
    const uri = `s3://${BUCKET}/signed/some file.txt`;
    await store.put(uri, new TextEncoder().encode("downloadable"));
    const get = await store.signedUrl(uri, { method: "GET", expiresInSeconds: 300 });
    expect(get.url).toContain("X-Amz-Signature=");
    const res = await fetch(get.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("downloadable");

    const body = "uploaded through a signed URL";
    const md5 = createHash("md5").update(body).digest("base64");
    const target = `s3://${BUCKET}/signed/upload.txt`;
    const put = await store.signedUrl(target, { method: "PUT", expiresInSeconds: 300, contentMd5: md5 });
    expect(put.url).toMatch(/X-Amz-SignedHeaders=content-md5%3Bhost|X-Amz-SignedHeaders=content-md5;host/);
    const up = await fetch(put.url, { method: "PUT", body, headers: put.headers });
    expect(up.status).toBe(200);
    expect(new TextDecoder().decode(await store.get(target))).toBe(body);
  });

  it("refuses URIs that name a bucket or folder rather than a blob", async () => {
    await expect(store.get(`s3://${BUCKET}`)).rejects.toMatchObject({ code: "INVALID_URI" });
    await expect(store.put(`s3://${BUCKET}/folder/`, new Uint8Array())).rejects.toThrow(/names a bucket or folder/);
    await expect(store.get("file:///tmp/x")).rejects.toThrow(/this store holds s3:\/\/ URIs/);
  });

  it("reports a missing bucket as an I/O error naming the URI, and head of it as absent", async () => {
    await expect(store.get("s3://no-such-bucket-here/k")).rejects.toMatchObject({ code: "STORAGE_IO", uri: "s3://no-such-bucket-here/k" });
    expect(await store.head("s3://no-such-bucket-here/k")).toBeUndefined();
  });

  it("is built by createBlobStore from a store URI", async () => {
    const fromUri = createBlobStore(`s3://${BUCKET}/factory?endpoint=${s3.endpoint}&region=us-east-1&forcePathStyle=true`, { credentials });
    try {
      await fromUri.put(`s3://${BUCKET}/factory/x.txt`, new TextEncoder().encode("via factory"));
      expect(new TextDecoder().decode(await store.get(`s3://${BUCKET}/factory/x.txt`))).toBe("via factory");
      expect(fromUri.root).toBe(`s3://${BUCKET}/factory`);
    } finally {
      (fromUri as S3BlobStore).destroy();
    }
  });
});
