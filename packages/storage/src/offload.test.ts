import { toBinary } from "@bufbuild/protobuf";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { core, hashLiteral, lit, literalMap, types } from "@aloft/idl";
import { FileSystemBlobStore } from "./fs-store.ts";
import { loadOffloaded, offloadLiteral, resolveOffloaded } from "./offload.ts";

let dir: string;
let store: FileSystemBlobStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "aloft-offload-"));
  store = new FileSystemBlobStore({ root: `file://${dir}` });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const big = () => lit.collection(Array.from({ length: 1000 }, (_, i) => lit.integer(i)));
const listOfInt = types.list(types.integer());

describe("offloadLiteral", () => {
  it("writes the literal and returns Flyte's offloaded form", async () => {
    const uri = `file://${dir}/o/big.pb`;
    const original = big();
    const off = await offloadLiteral(store, original, uri, { type: listOfInt });
    expect(off.value.case).toBe("offloadedMetadata");
    if (off.value.case !== "offloadedMetadata") return;
    expect(off.value.value.uri).toBe(uri);
    expect(off.value.value.sizeBytes).toBe(BigInt(toBinary(core.LiteralSchema, original).length));
    expect(off.value.value.inferredType).toEqual(listOfInt);
    expect((await store.head(uri))?.size).toBe(Number(off.value.value.sizeBytes));
    expect(await loadOffloaded(store, off)).toEqual(original);
  });

  it("gives the offloaded literal a content hash so cache keys ignore where it was written", async () => {
    const a = await offloadLiteral(store, big(), `file://${dir}/o/a.pb`, { type: listOfInt });
    const b = await offloadLiteral(store, big(), `file://${dir}/o/b.pb`, { type: listOfInt });
    expect(a.hash).not.toBe("");
    expect(hashLiteral(a)).toBe(hashLiteral(b));
    const other = await offloadLiteral(store, lit.collection([lit.integer(1)]), `file://${dir}/o/c.pb`, { type: listOfInt });
    expect(hashLiteral(other)).not.toBe(hashLiteral(a));
    const withHash = await offloadLiteral(store, { ...big(), hash: "user-hash" }, `file://${dir}/o/d.pb`, { type: listOfInt });
    expect(withHash.hash).toBe("user-hash");
  });

  it("keeps small literals inline under the threshold and refuses ones over the limit", async () => {
    const small = lit.integer(5);
    expect(await offloadLiteral(store, small, `file://${dir}/o/small.pb`, { type: types.integer(), minSizeBytes: 1024 })).toBe(small);
    expect(await store.exists(`file://${dir}/o/small.pb`)).toBe(false);
    await expect(offloadLiteral(store, big(), `file://${dir}/o/huge.pb`, { type: listOfInt, maxSizeBytes: 100 })).rejects.toThrow(
      /literal: is \d+ bytes, over the offloading limit of 100 bytes/,
    );
  });

  it("resolves offloaded literals nested in maps and collections", async () => {
    const off = await offloadLiteral(store, big(), `file://${dir}/o/nested.pb`, { type: listOfInt });
    const m = literalMap({ x: lit.map({ inner: lit.collection([off]) }), y: lit.integer(1) });
    const resolved = await resolveOffloaded(store, m);
    expect(resolved).toEqual(literalMap({ x: lit.map({ inner: lit.collection([big()]) }), y: lit.integer(1) }));
  });

  it("fails to load an offloaded literal whose blob is gone, naming the URI", async () => {
    const off = lit.offloaded(`file://${dir}/o/gone.pb`, 10, listOfInt);
    await expect(loadOffloaded(store, off)).rejects.toMatchObject({ code: "NOT_FOUND", uri: `file://${dir}/o/gone.pb` });
  });
});
