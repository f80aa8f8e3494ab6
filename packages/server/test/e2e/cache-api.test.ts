// The cache API (/aloft/v1/cache/...) against PostgreSQL: entries round-trip by key, writes need a JSON POST (no
// cross-site form can reach them), and bad input is 400 INVALID_ARGUMENT naming the field.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { core, lit, types } from "@aloft/idl";
import { cacheKey, DataCatalog, entryToJson, SqlCatalogStorage } from "@aloft/engine";
import { startHarness, type Harness } from "../harness.ts";

let h: Harness;
let catalog: DataCatalog;

const template = create(core.TaskTemplateSchema, {
  id: { resourceType: core.ResourceType.TASK, project: "p", domain: "development", name: "square", version: "v1" },
  type: "python-task",
  metadata: { discoverable: true, discoveryVersion: "1" },
  interface: { inputs: { variables: { x: { type: types.integer() } } }, outputs: { variables: { o: { type: types.integer() } } } },
});
const inputs = (x: number) => create(core.LiteralMapSchema, { literals: { x: lit.integer(x) } });
const outputs = create(core.LiteralMapSchema, { literals: { o: lit.integer(49) } });

const post = (op: string, body: unknown, type = "application/json") =>
  fetch(`${h.server.url}/aloft/v1/cache/${op}`, { method: "POST", headers: { "content-type": type }, body: typeof body === "string" ? body : JSON.stringify(body) });

beforeAll(async () => {
  h = await startHarness({ postgres: true });
  catalog = new DataCatalog(await new SqlCatalogStorage(h.db).init());
  h.ctx.cache = catalog.byKey();
});
afterAll(async () => h?.close());

describe("cache API", () => {
  it("puts, finds, lists and deletes entries by key; a delete also leaves the engine's index", async () => {
    const key = cacheKey(template, inputs(7));
    const entry = { key, outputs: toBinary(core.LiteralMapSchema, outputs), sourceExecution: "p/development/e1", sourceAction: "a", createdAt: 1 };
    let r = await post("put", { entry: entryToJson(entry), overwrite: false });
    expect([r.status, await r.json()]).toEqual([200, { stored: true }]);
    r = await post("find", { key });
    const found = ((await r.json()) as { entry: { outputs: string; createdAt: number } }).entry;
    expect(found.outputs).toBe(Buffer.from(entry.outputs).toString("base64"));
    expect(found.createdAt).toBeGreaterThan(1_000_000);
    expect((await catalog.lookup(template, inputs(7))).hit).toBe(true);
    r = await post("recent", { task: key.task, limit: 5 });
    expect(((await r.json()) as { keys: { inputs: string }[] }).keys.map((k) => k.inputs)).toEqual([key.inputs]);
    r = await post("delete", { key });
    expect(await r.json()).toEqual({ deleted: true });
    expect((await catalog.lookup(template, inputs(7))).hit).toBe(false);
    expect(await (await post("find", { key })).json()).toEqual({ entry: null });
  });

  it("answers only JSON POSTs: no GET, no form or text body a cross-site page could send", async () => {
    const key = cacheKey(template, inputs(1));
    expect((await fetch(`${h.server.url}/aloft/v1/cache/find`)).status).toBe(405);
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const r = await post("delete", { key }, type);
      expect(r.status, type).toBe(415);
    }
    expect((await post("delete", { key }, "application/json; charset=utf-8")).status).toBe(200);
  });

  it("rejects bad input with 400 naming the field", async () => {
    const key = cacheKey(template, inputs(2));
    const message = async (r: Response) => [r.status, ((await r.json()) as { message: string }).message] as const;
    expect(await message(await post("find", { key: { ...key, signature: "not hex" } }))).toEqual([400, expect.stringContaining("key.signature")]);
    expect(await message(await post("find", {}))).toEqual([400, expect.stringContaining("key: must be an object")]);
    const entry = entryToJson({ key, outputs: new Uint8Array([0xff, 0xff]), sourceExecution: "e", sourceAction: "a", createdAt: 1 });
    expect(await message(await post("put", { entry }))).toEqual([400, expect.stringContaining("entry.outputs")]);
    expect(await message(await post("recent", { task: "nope", limit: 5 }))).toEqual([400, expect.stringContaining("task")]);
    expect(await message(await post("recent", { task: key.task, limit: 1e9 }))).toEqual([400, expect.stringContaining("limit")]);
    expect(await message(await post("find", "{not json"))).toEqual([400, expect.stringContaining("not valid JSON")]);
    expect((await post("drop-all", {})).status).toBe(404);
  });
});
