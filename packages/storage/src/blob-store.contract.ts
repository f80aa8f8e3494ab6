// The behaviour every BlobStore must have, run against each implementation (filesystem in its unit test, S3 in
// the e2e test against a real S3 server), so the stores cannot drift apart.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import type { BlobStore } from "./blob-store.ts";
import { BadDigestError, BlobNotFoundError, InvalidUriError } from "./errors.ts";
import { joinUri } from "./uri.ts";

export interface ContractTarget {
  store: BlobStore;
  /** A fresh, empty prefix for this run, e.g. `s3://bucket/run-1` or `file:///tmp/x/run-1`. */
  base: string;
}

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

export function blobStoreContract(name: string, target: () => ContractTarget): void {
  describe(`${name}: BlobStore contract`, () => {
    const at = (...parts: string[]) => joinUri(target().base, ...parts);

    it("puts and gets bytes, and replaces on a second put", async () => {
      const { store } = target();
      await store.put(at("a/one.txt"), text("first"));
      expect(decode(await store.get(at("a/one.txt")))).toBe("first");
      await store.put(at("a/one.txt"), text("second"));
      expect(decode(await store.get(at("a/one.txt")))).toBe("second");
    });

    it("returns undefined for a missing blob from get and head", async () => {
      const { store } = target();
      expect(await store.get(at("missing/none.pb"))).toBeUndefined();
      expect(await store.head(at("missing/none.pb"))).toBeUndefined();
      expect(await store.exists(at("missing/none.pb"))).toBe(false);
    });

    it("stores empty blobs and keys with spaces and non-ASCII characters", async () => {
      const { store } = target();
      await store.put(at("empty.bin"), new Uint8Array());
      expect((await store.get(at("empty.bin")))?.length).toBe(0);
      expect((await store.head(at("empty.bin")))?.size).toBe(0);
      await store.put(at("odd names/naïve file (1).txt"), text("ok"));
      expect(decode(await store.get(at("odd names/naïve file (1).txt")))).toBe("ok");
    });

    it("reports size through head and exists", async () => {
      const { store } = target();
      await store.put(at("sized.bin"), new Uint8Array(1234));
      const info = await store.head(at("sized.bin"));
      expect(info?.size).toBe(1234);
      expect(info?.uri).toBe(at("sized.bin"));
      expect(await store.exists(at("sized.bin"))).toBe(true);
    });

    it("lists by plain string prefix, nothing outside the prefix", async () => {
      const { store } = target();
      for (const k of ["l/b/2", "l/b/1", "l/b.txt", "l/c", "l/b0", "l/bz/x"]) await store.put(at(k), text(k));
      const list = async (p: string) => {
        const out: string[] = [];
        for await (const info of store.list(p)) out.push(info.uri);
        return out.sort();
      };
      expect(await list(at("l/b"))).toEqual([at("l/b.txt"), at("l/b/1"), at("l/b/2"), at("l/b0"), at("l/bz/x")]);
      expect(await list(`${at("l/b")}/`)).toEqual([at("l/b/1"), at("l/b/2")]);
      expect(await list(at("l/nothing-here"))).toEqual([]);
      const sizes: number[] = [];
      for await (const info of store.list(at("l/c"))) sizes.push(info.size);
      expect(sizes).toEqual([3]);
    });

    it("deletes, and deleting a missing blob is not an error", async () => {
      const { store } = target();
      await store.put(at("d/x"), text("x"));
      await store.delete(at("d/x"));
      expect(await store.exists(at("d/x"))).toBe(false);
      await expect(store.delete(at("d/x"))).resolves.toBeUndefined();
    });

    it("streams a blob out with openRead and in with writeStream", async () => {
      const { store } = target();
      const chunks = Array.from({ length: 50 }, (_, i) => Buffer.from(`chunk-${i};`));
      const result = await store.writeStream(at("s/streamed.txt"), Readable.from(chunks));
      const expected = Buffer.concat(chunks);
      expect(result.size).toBe(expected.length);
      expect(Buffer.from((await store.get(at("s/streamed.txt"))) ?? [])).toEqual(expected);
      expect(await buffer(await store.openRead(at("s/streamed.txt")))).toEqual(expected);
    });

    it("checks a streamed body against its announced MD5 and keeps nothing on mismatch", async () => {
      const { store } = target();
      const body = "announced content";
      const md5 = createHash("md5").update(body).digest("base64");
      await store.writeStream(at("md5/ok.txt"), Readable.from([Buffer.from(body)]), { contentMd5: md5 });
      expect(decode(await store.get(at("md5/ok.txt")))).toBe(body);
      await expect(store.writeStream(at("md5/bad.txt"), Readable.from([Buffer.from("other")]), { contentMd5: md5 })).rejects.toBeInstanceOf(
        BadDigestError,
      );
      expect(await store.exists(at("md5/bad.txt"))).toBe(false);
    });

    it("stores nothing when the source stream fails midway", async () => {
      const { store } = target();
      let sent = 0;
      const failing = new Readable({
        read() {
          // Enough data that an S3 upload is under way when the source breaks.
          if (sent++ < 3) this.push(Buffer.alloc(1024 * 1024, 1));
          else this.destroy(new Error("source broke"));
        },
      });
      await expect(store.writeStream(at("broken/out.bin"), failing)).rejects.toThrow(/source broke/);
      expect(await store.exists(at("broken/out.bin"))).toBe(false);
    });

    it("fails openRead and copy of a missing blob with BlobNotFoundError", async () => {
      const { store } = target();
      await expect(store.openRead(at("nope/a"))).rejects.toBeInstanceOf(BlobNotFoundError);
      await expect(store.copy(at("nope/a"), at("nope/b"))).rejects.toMatchObject({ code: "NOT_FOUND", uri: at("nope/a") });
    });

    it("copies a blob", async () => {
      const { store } = target();
      await store.put(at("c/src name.txt"), text("payload"));
      await store.copy(at("c/src name.txt"), at("c/dst/copy.txt"));
      expect(decode(await store.get(at("c/dst/copy.txt")))).toBe("payload");
      expect(decode(await store.get(at("c/src name.txt")))).toBe("payload");
    });

    it("rejects malformed URIs with InvalidUriError naming the URI", async () => {
      const { store } = target();
      for (const bad of ["http://example.com/x", "s3://Bad_Bucket/k", "file://relative/x", `${target().base}/../escape`, ""]) {
        await expect(store.get(bad)).rejects.toBeInstanceOf(InvalidUriError);
      }
      await expect(store.put("gs://b/k", text("x"))).rejects.toThrow(/unsupported scheme "gs"/);
    });
  });
}

/** `mib` MiB of distinct 1 MiB chunks, generated lazily, with the sha256 of what was produced. */
export function patternStream(mib: number): { source: Readable; digest: () => string } {
  const hash = createHash("sha256");
  const base = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < base.length; i++) base[i] = (i * 31 + 7) & 255;
  function* chunks() {
    for (let i = 0; i < mib; i++) {
      const c = Buffer.from(base);
      c.writeUInt32BE(i, 0);
      hash.update(c);
      yield c;
    }
  }
  return { source: Readable.from(chunks()), digest: () => hash.digest("hex") };
}
