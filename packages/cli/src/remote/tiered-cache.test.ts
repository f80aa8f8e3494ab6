import { describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { core, lit, types } from "@aloft/idl";
import { cacheKey, MemoryCatalogStorage, type CacheEntry } from "@aloft/engine";
import { TieredCatalogStorage } from "./tiered-cache.ts";

const template = create(core.TaskTemplateSchema, {
  id: { resourceType: core.ResourceType.TASK, project: "p", domain: "d", name: "t", version: "v" },
  metadata: { discoverable: true, discoveryVersion: "1" },
  interface: { inputs: { variables: { x: { type: types.integer() } } } },
});
const entry = (x: number, outputs: core.LiteralMap): CacheEntry => ({
  key: cacheKey(template, create(core.LiteralMapSchema, { literals: { x: lit.integer(x) } })),
  outputs: toBinary(core.LiteralMapSchema, outputs),
  sourceExecution: "e",
  sourceAction: "a",
  createdAt: x,
});
const ints = create(core.LiteralMapSchema, { literals: { o: lit.integer(1) } });
const file = (uri: string) =>
  create(core.LiteralMapSchema, { literals: { f: { value: { case: "scalar", value: { value: { case: "blob", value: { uri, metadata: { type: { dimensionality: core.BlobType_BlobDimensionality.SINGLE } } } } } } } } });

describe("tiered cache storage", () => {
  it("finds locally first, then remotely; writes remotely only in remote-write mode", async () => {
    const local = new MemoryCatalogStorage();
    const remote = new MemoryCatalogStorage();
    await remote.put(entry(1, ints), false);
    const readOnly = new TieredCatalogStorage(local, remote, false);
    expect((await readOnly.find(entry(1, ints).key))?.sourceAction).toBe("a");
    await readOnly.put(entry(2, ints), false);
    expect(await remote.find(entry(2, ints).key)).toBeUndefined();
    expect(await local.find(entry(2, ints).key)).toBeDefined();
    await new TieredCatalogStorage(local, remote, true).put(entry(3, ints), false);
    expect(await remote.find(entry(3, ints).key)).toBeDefined();
  });

  it("refuses to write outputs that reference this machine's files to the server, keeping the local entry", async () => {
    const local = new MemoryCatalogStorage();
    const remote = new MemoryCatalogStorage();
    const tiered = new TieredCatalogStorage(local, remote, true);
    await expect(tiered.put(entry(4, file("file:///home/me/out.csv")), false)).rejects.toThrow(/files on this machine \(file:\/\/\/home\/me\/out.csv\)/);
    expect(await local.find(entry(4, ints).key)).toBeDefined();
    expect(await remote.find(entry(4, ints).key)).toBeUndefined();
    expect(await tiered.put(entry(5, file("s3://bucket/out.csv")), false)).toBe(true);
  });
});
