import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { core, lit, types } from "@aloft/idl";
import { openDatabase, type Database } from "../db/database.ts";
import { closure, executionId, promise, task, taskNode, type WorkflowSpec } from "../testing/closures.ts";
import { useEngines } from "../testing/engine.ts";
import { int, ints } from "../testing/values.ts";
import { DataCatalog } from "./catalog-impl.ts";
import { cacheKey } from "./key.ts";
import { MemoryCatalogStorage } from "./memory-storage.ts";
import { SqlCatalogStorage } from "./sql-storage.ts";
import type { CatalogStorage } from "./storage.ts";

const engineWith = useEngines();

function cached(version: string, extra: { cacheSerializable?: boolean; ignore?: string[] } = {}) {
  return task("sq", { x: types.integer(), seed: types.integer() }, { o: types.integer() }, {
    discoverable: true,
    discoveryVersion: version,
    ...(extra.cacheSerializable ? { cacheSerializable: true } : {}),
    ...(extra.ignore ? { cacheIgnoreInputVars: extra.ignore } : {}),
  });
}
const one = (t: core.TaskTemplate): WorkflowSpec => ({
  name: "cachewf",
  inputs: { x: types.integer(), seed: types.integer() },
  outputs: { o: types.integer() },
  nodes: [taskNode("sq", t, { x: promise("start-node", "x"), seed: promise("start-node", "seed") })],
  outputBindings: { o: promise("sq", "o") },
});

describe("data catalog through the engine", () => {
  let n = 0;
  async function run(engine: Awaited<ReturnType<typeof engineWith>>["engine"], t: core.TaskTemplate, x: number, seed = 0, overwriteCache = false) {
    const id = executionId(`cache${++n}`);
    await engine.createExecution({ id, closure: closure(one(t), [t]), inputs: ints({ x, seed }), options: { overwriteCache } });
    const r = await engine.wait(id);
    const node = (await engine.listNodeExecutions(id)).find((a) => a.name === "sq")!;
    return { value: int(r.outputs, "o"), cache: (node.state as { cache: { status: string; reason: string } }).cache };
  }

  it("hits on the same task, version, interface and inputs, and says why it missed otherwise", async () => {
    let calls = 0;
    const { engine } = await engineWith({ sq: (i) => (calls++, { kind: "success", outputs: ints({ o: int(i, "x") ** 2 }) }) }, { catalog: new DataCatalog(new MemoryCatalogStorage()) });
    expect(await run(engine, cached("1.0"), 3)).toMatchObject({ value: 9, cache: { status: "POPULATED", reason: "miss: no entry for this task; entry written" } });
    expect(await run(engine, cached("1.0"), 3)).toMatchObject({ value: 9, cache: { status: "HIT" } });
    expect(calls).toBe(1);
    expect((await run(engine, cached("1.0"), 4)).cache.reason).toBe("miss: input `x` changed; entry written");
    expect((await run(engine, cached("1.1"), 4)).cache.reason).toBe("miss: cache version changed 1.0 → 1.1; entry written");
    const retyped = task("sq", { x: types.integer(), seed: types.integer() }, { o: types.float() }, { discoverable: true, discoveryVersion: "1.1" });
    expect(cacheKey(retyped, ints({ x: 4, seed: 0 })).signature).not.toBe(cacheKey(cached("1.1"), ints({ x: 4, seed: 0 })).signature);
    expect(calls).toBe(3);
  });

  it("ignores cache_ignore_input_vars in the key", async () => {
    let calls = 0;
    const { engine } = await engineWith({ sq: (i) => (calls++, { kind: "success", outputs: ints({ o: int(i, "x") }) }) }, { catalog: new DataCatalog(new MemoryCatalogStorage()) });
    const t = cached("1", { ignore: ["seed"] });
    await run(engine, t, 2, 1);
    expect((await run(engine, t, 2, 99)).cache.status).toBe("HIT");
    expect(calls).toBe(1);
  });

  it("overwrite_cache runs the task and replaces the entry", async () => {
    let value = 10;
    const { engine } = await engineWith({ sq: () => ({ kind: "success", outputs: ints({ o: value }) }) }, { catalog: new DataCatalog(new MemoryCatalogStorage()) });
    const t = cached("1");
    expect((await run(engine, t, 1)).value).toBe(10);
    value = 20;
    expect((await run(engine, t, 1)).value).toBe(10);
    expect(await run(engine, t, 1, 0, true)).toMatchObject({ value: 20, cache: { status: "POPULATED", reason: "overwrite_cache requested: run and replace the entry; entry replaced" } });
    expect((await run(engine, t, 1)).value).toBe(20);
  });

  it("a failed put does not fail the task: the node records PUT_FAILURE and why", async () => {
    const storage = new MemoryCatalogStorage();
    storage.put = async () => {
      throw new Error("disk full");
    };
    const { engine } = await engineWith({ sq: (i) => ({ kind: "success", outputs: ints({ o: int(i, "x") * 3 }) }) }, { catalog: new DataCatalog(storage) });
    expect(await run(engine, cached("1"), 2)).toEqual({ value: 6, cache: { status: "PUT_FAILURE", reason: "cache put failed: disk full" } });
  });

  it("runs identical concurrent cache-serializable tasks once", async () => {
    let calls = 0;
    const { engine } = await engineWith(
      { sq: async (i) => (calls++, await new Promise((r) => setTimeout(r, 100)), { kind: "success", outputs: ints({ o: int(i, "x") + 1 }) }) },
      { catalog: new DataCatalog(new MemoryCatalogStorage()) },
    );
    const t = cached("1", { cacheSerializable: true });
    const results = await Promise.all([run(engine, t, 5), run(engine, t, 5), run(engine, t, 5)]);
    expect(results.map((r) => r.value)).toEqual([6, 6, 6]);
    expect(calls).toBe(1);
  });
});

function storageSuite(name: string, make: () => Promise<CatalogStorage>) {
  describe(`catalog storage: ${name}`, () => {
    let s: CatalogStorage;
    beforeAll(async () => {
      s = await make();
    });
    const t = cached("7");
    const key = (x: number) => cacheKey(t, ints({ x, seed: 0 }));
    const outputs = create(core.LiteralMapSchema, { literals: { o: lit.integer(1) } });

    it("reserves for one owner until expiry, then lets another take over", async () => {
      const k = key(1);
      expect((await s.reserve(k, "a", 1000, 100)).owner).toBe("a");
      expect((await s.reserve(k, "b", 1050, 100)).owner).toBe("a");
      expect((await s.reserve(k, "a", 1060, 100)).expiresAt).toBe(1160);
      expect((await s.reserve(k, "b", 1200, 100)).owner).toBe("b");
      await s.release(k, "a");
      expect((await s.reserve(k, "c", 1210, 100)).owner).toBe("b");
      await s.release(k, "b");
      expect((await s.reserve(k, "c", 1210, 100)).owner).toBe("c");
    });

    it("evicts an entry", async () => {
      const catalog = new DataCatalog(s);
      await catalog.put(t, ints({ x: 2, seed: 0 }), outputs, { execution: "e", action: "e/n" }, false);
      expect((await catalog.lookup(t, ints({ x: 2, seed: 0 }))).hit).toBe(true);
      expect(await catalog.evict(t, ints({ x: 2, seed: 0 }))).toBe(true);
      expect((await catalog.lookup(t, ints({ x: 2, seed: 0 }))).reason).toBe("miss: no entry for this task");
      expect(key(2).inputs).toBe(cacheKey(t, ints({ x: 2, seed: 0 })).inputs);
    });

    it("lists a task's most recent entries newest first; an overwrite makes its entry the newest", async () => {
      const task = `${t.id!.project}/${t.id!.domain}/recent-${Math.random()}`;
      const k = (x: number) => ({ ...key(x), task });
      const entry = (x: number, at: number) => ({ key: k(x), outputs: new Uint8Array([x]), sourceExecution: "e", sourceAction: `e/${x}`, createdAt: at });
      for (const [x, at] of [[1, 100], [2, 300], [3, 200]] as const) await s.put(entry(x, at), false);
      expect((await s.recent(task, 2)).map((r) => r.inputs)).toEqual([k(2).inputs, k(3).inputs]);
      await s.put(entry(1, 400), true);
      expect((await s.recent(task, 3)).map((r) => r.inputs)).toEqual([k(1).inputs, k(2).inputs, k(3).inputs]);
      await s.delete(k(2));
      expect((await s.recent(task, 3)).map((r) => r.inputs)).toEqual([k(1).inputs, k(3).inputs]);
    });

    describe("in-process index", () => {
      const out = (v: number) => create(core.LiteralMapSchema, { literals: { o: lit.integer(v) } });
      const value = (r: { outputs?: core.LiteralMap }) => int(r.outputs, "o");
      /** The storage, counting finds (an indexed lookup does not reach it). */
      function counted() {
        let finds = 0;
        const wrapped: CatalogStorage = {
          find: (k) => (finds++, s.find(k)),
          recent: (t, l) => s.recent(t, l),
          put: (e, o) => s.put(e, o),
          delete: (k) => s.delete(k),
          reserve: (k, o, n, ttl) => s.reserve(k, o, n, ttl),
          release: (k, o) => s.release(k, o),
        };
        return { wrapped, finds: () => finds };
      }

      it("serves what it wrote without asking the storage, and follows its own overwrite and evict", async () => {
        const { wrapped, finds } = counted();
        const catalog = new DataCatalog(wrapped);
        const inputs = ints({ x: 10, seed: 1 });
        await catalog.put(t, inputs, out(1), { execution: "e", action: "e/a" }, false);
        expect(value(await catalog.lookup(t, ints({ x: 10, seed: 1 })))).toBe(1);
        expect(finds()).toBe(0);
        await catalog.put(t, inputs, out(2), { execution: "e", action: "e/b" }, true);
        const r = await catalog.lookup(t, inputs);
        expect([value(r), r.reason]).toEqual([2, "hit: cached by e/b"]);
        expect(await catalog.evict(t, inputs)).toBe(true);
        expect((await catalog.lookup(t, inputs)).hit).toBe(false);
        expect(catalog.indexedEntries).toBe(0);
      });

      it("does not index a put that lost to an existing entry", async () => {
        const other = new DataCatalog(s, { index: false });
        const inputs = ints({ x: 11, seed: 1 });
        await other.put(t, inputs, out(7), { execution: "e", action: "e/first" }, false);
        const catalog = new DataCatalog(s);
        await catalog.put(t, inputs, out(8), { execution: "e", action: "e/second" }, false);
        expect(value(await catalog.lookup(t, inputs))).toBe(7);
      });

      it("indexes entries it read, and asks the storage again once they are older than the TTL", async () => {
        let now = 1000;
        const { wrapped, finds } = counted();
        const catalog = new DataCatalog(wrapped, { now: () => now, indexTtlMs: 500 });
        const other = new DataCatalog(s, { index: false });
        const inputs = ints({ x: 12, seed: 1 });
        await other.put(t, inputs, out(3), { execution: "e", action: "e/x" }, false);
        expect(value(await catalog.lookup(t, inputs))).toBe(3);
        expect(value(await catalog.lookup(t, inputs))).toBe(3);
        expect(finds()).toBe(1);
        // Another process evicts: this index serves its entry until the TTL is over.
        await other.evict(t, inputs);
        expect((await catalog.lookup(t, inputs)).hit).toBe(true);
        now += 500;
        expect((await catalog.lookup(t, inputs)).hit).toBe(false);
      });

      it("drops the oldest entries beyond its byte budget", async () => {
        const catalog = new DataCatalog(s, { indexMaxBytes: 20 });
        for (let x = 20; x < 30; x++) await catalog.put(t, ints({ x, seed: 1 }), out(x), { execution: "e", action: `e/${x}` }, true);
        expect(catalog.indexedEntries).toBeLessThan(10);
        expect(catalog.indexedEntries).toBeGreaterThan(0);
        for (let x = 20; x < 30; x++) expect(value(await catalog.lookup(t, ints({ x, seed: 1 })))).toBe(x);
      });
    });
  });
}

let db: Database;
storageSuite("memory", async () => new MemoryCatalogStorage());
storageSuite("PGlite", async () => {
  db = await openDatabase({ migrations: [] });
  return new SqlCatalogStorage(db).init();
});
afterAll(async () => {
  await db?.close();
});
