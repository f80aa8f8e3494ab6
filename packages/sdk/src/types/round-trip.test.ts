import { mkdtemp, mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromArrays } from "apache-arrow";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { core, formatLiteralType, lit } from "@aloft/idl";
import { describe, expect, it } from "vitest";
import { TypeMismatchError } from "../errors.ts";
import type { BlobIO } from "./blob-io.ts";
import { FlyteDirectory } from "./directory.ts";
import { FlyteFile } from "./file.ts";
import { registerType, schemaFor, unregisterType, type CustomType } from "./registry.ts";
import type { Schema, TransformContext } from "./schema.ts";
import { StructuredDataset } from "./structured-dataset.ts";
import { t } from "./t.ts";

class CountingIO implements BlobIO {
  readonly data = new Map<string, Uint8Array>();
  reads = 0;
  async read(uri: string) {
    this.reads++;
    const d = this.data.get(uri);
    if (!d) throw new Error(`no blob ${uri}`);
    return d;
  }
  async write(uri: string, data: Uint8Array) {
    this.data.set(uri, data);
  }
  async list(prefix: string) {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix));
  }
}

async function context(): Promise<TransformContext & { blobs: CountingIO }> {
  return { blobs: new CountingIO(), rawOutputPrefix: "mem://raw", scratchDir: await mkdtemp(join(tmpdir(), "aloft-sdk-")) };
}

/** Converts to a literal, through protobuf binary (as on the wire), and back. */
async function roundTrip<T>(schema: Schema<T>, value: T, ctx: TransformContext): Promise<T> {
  const literal = await schema.toLiteral(value, ctx, "x");
  const wire = fromBinary(core.LiteralSchema, toBinary(core.LiteralSchema, literal));
  return schema.fromLiteral(wire, ctx, "x");
}

describe("type transformers round-trip", () => {
  it("scalars", async () => {
    const ctx = await context();
    expect(await roundTrip(t.int(), -42, ctx)).toBe(-42);
    expect(await roundTrip(t.float(), 2.5, ctx)).toBe(2.5);
    expect(await roundTrip(t.string(), "héllo", ctx)).toBe("héllo");
    expect(await roundTrip(t.bool(), false, ctx)).toBe(false);
    const d = new Date("2024-02-29T12:34:56.789Z");
    expect((await roundTrip(t.datetime(), d, ctx)).toISOString()).toBe(d.toISOString());
    expect(await roundTrip(t.duration(), 90_500, ctx)).toBe(90_500);
    expect(await roundTrip(t.binary(), new Uint8Array([0, 1, 255]), ctx)).toEqual(new Uint8Array([0, 1, 255]));
    expect(await roundTrip(t.none(), null, ctx)).toBeNull();
    expect(await roundTrip(t.enum(["red", "green"]), "green", ctx)).toBe("green");
  });

  it("containers, unions and optionals", async () => {
    const ctx = await context();
    expect(await roundTrip(t.list(t.list(t.int())), [[1], [2, 3], []], ctx)).toEqual([[1], [2, 3], []]);
    expect(await roundTrip(t.map(t.float()), { a: 1.5, "b c": 2 }, ctx)).toEqual({ a: 1.5, "b c": 2 });
    const u = t.union(t.int(), t.string());
    expect(await roundTrip(u, 7, ctx)).toBe(7);
    expect(await roundTrip(u, "seven", ctx)).toBe("seven");
    const o = t.optional(t.string());
    expect(await roundTrip(o, null, ctx)).toBeNull();
    expect(await roundTrip(o, "x", ctx)).toBe("x");
    const lit = await u.toLiteral("s", ctx, "x");
    const sv = lit.value.case === "scalar" ? lit.value.value.value : undefined;
    expect(sv?.case === "union" ? sv.value.type?.structure?.tag : undefined).toBe("str");
  });

  it("a bare literal flows into an optional input", async () => {
    const ctx = await context();
    const bare = await t.int().toLiteral(5, ctx, "x");
    expect(await t.optional(t.int()).fromLiteral(bare, ctx, "x")).toBe(5);
  });

  it("structs keep a JSON schema in metadata and convert nested fields", async () => {
    const ctx = await context();
    const s = t.struct({ name: t.string(), at: t.datetime(), tags: t.list(t.string()), score: t.optional(t.float()) }, { name: "Run" });
    const lt = s.literalType();
    expect(lt.type.case === "simple" && lt.type.value === core.SimpleType.STRUCT).toBe(true);
    expect(lt.metadata).toMatchObject({
      title: "Run",
      type: "object",
      required: ["name", "at", "tags"],
      properties: { at: { type: "string", format: "date-time" }, tags: { type: "array", items: { type: "string" } } },
    });
    const v = { name: "a", at: new Date("2024-01-01T00:00:00Z"), tags: ["x"], score: null };
    const back = await roundTrip(s, v, ctx);
    expect(back.at).toBeInstanceOf(Date);
    expect(back).toEqual(v);
  });

  it("files upload on output and download lazily on input", async () => {
    const ctx = await context();
    const dir = await mkdtemp(join(tmpdir(), "aloft-file-"));
    await writeFile(join(dir, "data.csv"), "a,b\n1,2\n");
    const f = t.file("csv");
    const literal = await f.toLiteral(FlyteFile.fromPath(join(dir, "data.csv")), ctx, "x");
    const sv = literal.value.case === "scalar" ? literal.value.value.value : undefined;
    expect(sv?.case).toBe("blob");
    const back = await f.fromLiteral(literal, ctx, "x");
    expect(ctx.blobs.reads).toBe(0);
    expect(back.uri).toMatch(/^mem:\/\/raw\/[0-9a-f]+\/data\.csv$/);
    expect(back.format).toBe("csv");
    expect(await readFile(await back.localPath(), "utf8")).toBe("a,b\n1,2\n");
    expect(ctx.blobs.reads).toBe(1);
    // An already-stored file is passed on by reference, not copied.
    expect(await f.toLiteral(back, ctx, "x")).toEqual(literal);
  });

  it("directories keep their tree", async () => {
    const ctx = await context();
    const dir = await mkdtemp(join(tmpdir(), "aloft-dir-"));
    await mkdir(join(dir, "sub"));
    await writeFile(join(dir, "a.txt"), "A");
    await writeFile(join(dir, "sub", "b.txt"), "B");
    const back = await roundTrip(t.directory(), FlyteDirectory.fromPath(dir), ctx);
    expect(await back.list()).toEqual(["a.txt", "sub/b.txt"]);
    expect(await back.file("sub/b.txt").text()).toBe("B");
    expect(await readFile(join(await back.localPath(), "a.txt"), "utf8")).toBe("A");
  });

  it("structured datasets are Parquet under <uri>/00000 and read back as Arrow", async () => {
    const ctx = await context();
    const sd = t.dataframe({ columns: { id: t.int(), name: t.string() } });
    expect(formatLiteralType(sd.literalType())).toBe("structured_dataset(parquet, {id: integer, name: string})");
    const table = tableFromArrays({ id: Int32Array.from([1, 2]), name: ["a", "b"] });
    const back = await roundTrip(sd, StructuredDataset.fromTable(table), ctx);
    expect([...ctx.blobs.data.keys()][0]).toMatch(/\/00000$/);
    expect((await back.table()).toArray().map((r) => r.toJSON())).toEqual([{ id: 1, name: "a" }, { id: 2, name: "b" }]);
    expect(await back.duckdbSource()).toMatch(/^read_parquet\(\['.*\.parquet'\]\)$/);
  });

  it("rejects a dataset missing a declared column", async () => {
    const ctx = await context();
    const sd = t.dataframe({ columns: { id: t.int(), name: t.string() } });
    const table = tableFromArrays({ id: Int32Array.from([1]) });
    await expect(sd.toLiteral(StructuredDataset.fromTable(table), ctx, "output o0")).rejects.toThrow(/output o0: dataset is missing declared column\(s\) name/);
  });

  it("user-registered types are found again from their LiteralType", async () => {
    const ctx = await context();
    class Point {
      constructor(readonly x: number, readonly y: number) {}
    }
    const inner = t.struct({ x: t.float(), y: t.float() });
    const point: CustomType<Point> = registerType<Point>({
      name: "Point",
      literalType: inner.literalType,
      check: (v) => (v instanceof Point ? undefined : "expected a Point"),
      toLiteral: (p, c, path) => inner.toLiteral({ x: p.x, y: p.y }, c, path),
      fromLiteral: async (l, c, path) => {
        const v = await inner.fromLiteral(l, c, path);
        return new Point(v.x, v.y);
      },
      fromJson: (j, path) => {
        const v = inner.fromJson(j, path);
        return new Point(v.x, v.y);
      },
      toJson: (p) => ({ x: p.x, y: p.y }),
      parse: (text, path): Point => point.fromJson(JSON.parse(text), path),
    });
    try {
      const lt = point.literalType();
      expect(lt.structure?.tag).toBe("Point");
      const literal = await point.toLiteral(new Point(1, 2), ctx, "p");
      const found = schemaFor(lt);
      expect(await found.fromLiteral(literal, ctx, "p")).toEqual(new Point(1, 2));
    } finally {
      unregisterType("Point");
    }
  });

  it("schemaFor covers every built-in LiteralType", async () => {
    const ctx = await context();
    const s = t.struct({ a: t.map(t.list(t.optional(t.enum(["x", "y"])))) });
    const generic = schemaFor(t.list(s).literalType());
    const v = [{ a: { k: ["x", null] } }];
    expect(await roundTrip(generic, v, ctx)).toEqual(v);
  });
});

describe("bad values name the path", () => {
  it("refuses wrong JS types", async () => {
    const ctx = await context();
    await expect(t.int().toLiteral(1.5 as number, ctx, "input n")).rejects.toThrow("input n: expected an integer, got number 1.5");
    await expect(t.list(t.int()).toLiteral([1, "2"] as unknown as number[], ctx, "input xs")).rejects.toThrow(/input xs\[1\]: expected an integer/);
    await expect(t.struct({ a: t.int() }).toLiteral({} as { a: number }, ctx, "input s")).rejects.toThrow('input s: missing field "a"');
    await expect(t.enum(["a", "b"]).toLiteral("c" as "a", ctx, "input e")).rejects.toThrow(TypeMismatchError);
  });

  it("parses command-line text by type", () => {
    expect(t.int().parse("12", "n")).toBe(12);
    expect(() => t.int().parse("12.5", "input n")).toThrow('input n: expected an integer, got "12.5"');
    expect(t.bool().parse("true", "b")).toBe(true);
    expect(() => t.bool().parse("yes", "b")).toThrow(/expected true or false/);
    expect(t.duration().parse("1h30m", "d")).toBe(5_400_000);
    expect(t.list(t.datetime()).parse('["2024-01-01T00:00:00Z"]', "d")[0]).toBeInstanceOf(Date);
    expect(() => t.list(t.int()).parse("[1,", "input xs")).toThrow(/input xs: expected a list as JSON/);
    expect(t.struct({ a: t.int() }).parse('{"a": 1}', "s")).toEqual({ a: 1 });
    expect(() => t.struct({ a: t.int() }).parse('{"a": 1, "b": 2}', "input s")).toThrow(/unknown field "b"/);
  });

  it("reads flytekit's msgpack-encoded dataclasses into a struct", async () => {
    const ctx = await context();
    // msgpack {"name": "x", "n": 3}: fixmap(2), fixstr "name", fixstr "x", fixstr "n", positive fixint 3
    const bytes = new Uint8Array([0x82, 0xa4, ...new TextEncoder().encode("name"), 0xa1, 0x78, 0xa1, 0x6e, 0x03]);
    const s = t.struct({ name: t.string(), n: t.int() });
    expect(await s.fromLiteral(lit.binary(bytes, "msgpack"), ctx, "x")).toEqual({ name: "x", n: 3 });
  });
});
