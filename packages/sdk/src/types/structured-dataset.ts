// Flyte StructuredDataset: a table stored as Parquet under a URI prefix, one file named `00000` as flytekit's
// Parquet encoder writes it, so datasets move between Aloft and flytekit tasks. In code a dataset is an Apache
// Arrow table, or local Parquet files for DuckDB (`read_parquet`), fetched only when asked for.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import type { Table } from "apache-arrow";
import { core, describeLiteral, lit, types } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import { parseLocalPath, type BlobIO } from "./blob-io.ts";
import { downloadTo, freshUri, joinUri, scratchPath } from "./offload.ts";
import { describeValue, type Schema, type SchemaMap } from "./schema.ts";

type Source =
  | { kind: "table"; table: Table }
  | { kind: "parquet"; path: string }
  | { kind: "remote"; uri: string; io: BlobIO; scratchDir: string };

// Arrow and the Parquet WASM are loaded when a dataset is first converted: ~150 modules and a WASM module that
// every program importing the SDK (the CLI, `aloft start`) would otherwise load at start.
let codecs: Promise<{ arrow: typeof import("apache-arrow"); parquet: typeof import("parquet-wasm/node") }> | undefined;
const loadCodecs = () => (codecs ??= Promise.all([import("apache-arrow"), import("parquet-wasm/node")]).then(([arrow, parquet]) => ({ arrow, parquet })));

export async function tableToParquet(table: Table): Promise<Uint8Array> {
  const { arrow, parquet } = await loadCodecs();
  return parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(table, "stream")));
}

export async function parquetToTable(bytes: Uint8Array): Promise<Table> {
  const { arrow, parquet } = await loadCodecs();
  return arrow.tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
}

export class StructuredDataset {
  #source: Source;
  #files: string[] | undefined;
  readonly format = "parquet";

  private constructor(source: Source) {
    this.#source = source;
  }

  static fromTable(table: Table): StructuredDataset {
    return new StructuredDataset({ kind: "table", table });
  }

  /** A Parquet file on local disk (e.g. written by DuckDB's COPY … TO). */
  static fromParquetFile(path: string): StructuredDataset {
    return new StructuredDataset({ kind: "parquet", path });
  }

  static fromUri(uri: string, io: BlobIO, scratchDir: string): StructuredDataset {
    return new StructuredDataset({ kind: "remote", uri, io, scratchDir });
  }

  get uri(): string | undefined {
    return this.#source.kind === "remote" ? this.#source.uri : undefined;
  }

  /** Local Parquet files holding the data; downloads on first call. */
  async parquetFiles(): Promise<string[]> {
    if (this.#files) return this.#files;
    const s = this.#source;
    if (s.kind === "parquet") return (this.#files = [s.path]);
    if (s.kind === "table") {
      const path = `${await mkdtemp(`${tmpdir()}/aloft-sd-`)}/00000.parquet`;
      await writeFile(path, await tableToParquet(s.table));
      return (this.#files = [path]);
    }
    const prefix = s.uri.replace(/\/+$/, "");
    // flytekit writes a directory of part files; a bare Parquet object at the URI is read as well.
    const listed = (await s.io.list(prefix + "/")).sort();
    const uris = listed.length > 0 ? listed : [prefix];
    const dir = scratchPath(s.scratchDir, "sd");
    const files: string[] = [];
    for (const [i, uri] of uris.entries()) {
      const path = `${dir}/${String(i).padStart(5, "0")}.parquet`;
      await downloadTo(s.io, uri, path);
      files.push(path);
    }
    return (this.#files = files);
  }

  /** A DuckDB table expression reading this dataset: `SELECT * FROM ${await ds.duckdbSource()}`. */
  async duckdbSource(): Promise<string> {
    const files = await this.parquetFiles();
    return `read_parquet([${files.map((f) => `'${f.replaceAll("'", "''")}'`).join(", ")}])`;
  }

  /** The data as an Arrow table. */
  async table(): Promise<Table> {
    const s = this.#source;
    if (s.kind === "table") return s.table;
    const tables = await Promise.all((await this.parquetFiles()).map(async (f) => await parquetToTable(new Uint8Array(await readFile(f)))));
    if (tables.length === 1) return tables[0] as Table;
    const [first, ...rest] = tables as [Table, ...Table[]];
    return first.concat(...rest);
  }

  async upload(io: BlobIO, rawOutputPrefix: string): Promise<string> {
    const s = this.#source;
    if (s.kind === "remote") return s.uri;
    const uri = freshUri(rawOutputPrefix);
    const bytes = s.kind === "table" ? await tableToParquet(s.table) : new Uint8Array(await readFile(s.path));
    await io.write(joinUri(uri, "00000"), bytes);
    this.#source = { kind: "remote", uri, io, scratchDir: "" };
    return uri;
  }

  toString(): string {
    return `StructuredDataset(${this.uri ?? this.#source.kind})`;
  }
}

export interface DataFrameOptions<C extends SchemaMap> {
  /** Declared columns, in order; checked against the data a task returns. */
  columns?: C;
  /** Declared storage format; "parquet" (default) or "" (any, as flytekit writes for untyped frames). */
  format?: "parquet" | "";
}

export function structuredDatasetSchema<C extends SchemaMap>(options: DataFrameOptions<C> = {}): Schema<StructuredDataset> {
  const columns = options.columns ?? ({} as C);
  const check = (v: unknown) => (v instanceof StructuredDataset ? undefined : `expected a StructuredDataset, got ${describeValue(v)}`);
  const literalType = () =>
    types.structuredDataset(options.format ?? "parquet", Object.fromEntries(Object.entries(columns).map(([k, s]) => [k, s.literalType()])));
  const fromText = (json: unknown, path: string): StructuredDataset => {
    if (typeof json !== "string" || json === "") throw new TypeMismatchError(path, `expected a Parquet file path, got ${describeValue(json)}`);
    return StructuredDataset.fromParquetFile(json);
  };
  return {
    name: "StructuredDataset",
    literalType,
    check,
    async toLiteral(value, ctx, path) {
      const why = check(value);
      if (why !== undefined) throw new TypeMismatchError(path, why);
      await checkColumns(value, Object.keys(columns), path);
      const uri = await value.upload(ctx.blobs, ctx.rawOutputPrefix);
      const sdType = literalType().type.value as core.StructuredDatasetType;
      return lit.structuredDataset(uri, { type: sdType });
    },
    async fromLiteral(literal, ctx, path) {
      const sv = literal.value.case === "scalar" ? literal.value.value.value : undefined;
      if (sv?.case !== "structuredDataset") throw new TypeMismatchError(path, `expected a structured dataset, got ${describeLiteral(literal)}`);
      const format = sv.value.metadata?.structuredDatasetType?.format ?? "";
      if (format !== "" && format !== "parquet") throw new TypeMismatchError(path, `dataset format "${format}" is not supported (only parquet)`);
      return StructuredDataset.fromUri(sv.value.uri, ctx.blobs, ctx.scratchDir);
    },
    fromJson: fromText,
    toJson: (v) => v.uri ?? String(v),
    parse: parseLocalPath(fromText, "file"),
  };
}

/** Declared columns must exist in the data a task returns (only checked when the table is in memory or local). */
async function checkColumns(value: StructuredDataset, declared: string[], path: string): Promise<void> {
  if (declared.length === 0 || value.uri !== undefined) return;
  const present = new Set((await value.table()).schema.fields.map((f) => f.name));
  const missing = declared.filter((c) => !present.has(c));
  if (missing.length > 0) {
    throw new TypeMismatchError(path, `dataset is missing declared column(s) ${missing.join(", ")} (has ${[...present].join(", ")})`);
  }
}
