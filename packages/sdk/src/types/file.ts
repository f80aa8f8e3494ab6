// Flyte single blobs (`FlyteFile` in flytekit). A file that arrives as a task input is a reference: nothing is
// downloaded until the task reads it. A file a task returns is uploaded under the raw output prefix, unless it
// already lives in the blob store, in which case its URI is passed on untouched.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename } from "node:path";
import { describeLiteral, lit, types } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import { parseLocalPath, type BlobIO } from "./blob-io.ts";
import { downloadTo, freshUri, joinUri, scratchPath } from "./offload.ts";
import { describeValue, type Schema } from "./schema.ts";

type Source =
  | { kind: "local"; path: string }
  | { kind: "bytes"; data: Uint8Array; name: string }
  | { kind: "remote"; uri: string; io: BlobIO; scratchDir: string };

export class FlyteFile {
  #source: Source;
  #localPath: string | undefined;
  /** Format tag, e.g. "csv"; "" for any. */
  readonly format: string;

  private constructor(source: Source, format: string) {
    this.#source = source;
    this.format = format;
    if (source.kind === "local") this.#localPath = source.path;
  }

  /** A file on local disk, uploaded when a task returns it. */
  static fromPath(path: string, format = ""): FlyteFile {
    return new FlyteFile({ kind: "local", path }, format);
  }

  /** A file whose content is in memory (text is written as UTF-8). */
  static fromBytes(data: Uint8Array | string, name = "data", format = ""): FlyteFile {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    return new FlyteFile({ kind: "bytes", data: bytes, name }, format);
  }

  /** A file already in the blob store (s3://…, file://…, memory://…). */
  static fromUri(uri: string, io: BlobIO, scratchDir: string, format = ""): FlyteFile {
    return new FlyteFile({ kind: "remote", uri, io, scratchDir }, format);
  }

  /** The blob store URI, when the file lives there. */
  get uri(): string | undefined {
    return this.#source.kind === "remote" ? this.#source.uri : undefined;
  }

  /** The file's name (last path segment). */
  get name(): string {
    const s = this.#source;
    return s.kind === "local" ? basename(s.path) : s.kind === "bytes" ? s.name : (s.uri.split("/").pop() ?? "file");
  }

  async bytes(): Promise<Uint8Array> {
    const s = this.#source;
    if (s.kind === "bytes") return s.data;
    if (s.kind === "remote" && this.#localPath === undefined) return s.io.read(s.uri);
    return new Uint8Array(await readFile(await this.localPath()));
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  /** A path on local disk holding the content; downloads on first call. */
  async localPath(): Promise<string> {
    if (this.#localPath !== undefined) return this.#localPath;
    const s = this.#source;
    if (s.kind === "remote") {
      const path = scratchPath(s.scratchDir, this.name);
      await downloadTo(s.io, s.uri, path);
      this.#localPath = path;
      return path;
    }
    if (s.kind === "bytes") {
      const dir = await mkdtemp(`${tmpdir()}/aloft-file-`);
      this.#localPath = `${dir}/${s.name}`;
      await writeFile(this.#localPath, s.data);
      return this.#localPath;
    }
    return s.path;
  }

  /** Uploads (when not already in the store) and returns the URI. */
  async upload(io: BlobIO, rawOutputPrefix: string): Promise<string> {
    const s = this.#source;
    if (s.kind === "remote") return s.uri;
    const uri = joinUri(freshUri(rawOutputPrefix), this.name);
    await io.write(uri, s.kind === "bytes" ? s.data : new Uint8Array(await readFile(s.path)));
    this.#source = { kind: "remote", uri, io, scratchDir: "" };
    return uri;
  }

  toString(): string {
    return `FlyteFile(${this.uri ?? this.name})`;
  }
}

export function fileSchema(format = ""): Schema<FlyteFile> {
  const check = (v: unknown) => (v instanceof FlyteFile ? undefined : `expected a FlyteFile, got ${describeValue(v)}`);
  const fromText = (json: unknown, path: string): FlyteFile => {
    if (typeof json !== "string" || json === "") throw new TypeMismatchError(path, `expected a file path or URI, got ${describeValue(json)}`);
    // A URI with a scheme is a reference; anything else is a local path to upload.
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(json) ? FlyteFile.fromUri(json, unboundIO, "", format) : FlyteFile.fromPath(json, format);
  };
  return {
    name: "FlyteFile",
    literalType: () => types.blob(format, "single"),
    check,
    async toLiteral(value, ctx, path) {
      const why = check(value);
      if (why !== undefined) throw new TypeMismatchError(path, why);
      const uri = await value.upload(ctx.blobs, ctx.rawOutputPrefix);
      return lit.blob(uri, { format: format || value.format, dimensionality: "single" });
    },
    async fromLiteral(literal, ctx, path) {
      const sv = literal.value.case === "scalar" ? literal.value.value.value : undefined;
      if (sv?.case !== "blob") throw new TypeMismatchError(path, `expected a file, got ${describeLiteral(literal)}`);
      return FlyteFile.fromUri(sv.value.uri, ctx.blobs, ctx.scratchDir, sv.value.metadata?.type?.format ?? format);
    },
    fromJson: fromText,
    toJson: (v) => v.uri ?? v.name,
    parse: parseLocalPath(fromText, "file"),
  };
}

/**
 * The store of a URI typed on the command line is not known when it is parsed; it is only ever passed on
 * (uploaded files keep their URI), so reading it here is a bug worth a clear message.
 */
const unboundIO: BlobIO = {
  read: (uri) => Promise.reject(new Error(`cannot read ${uri}: this reference was parsed without a blob store`)),
  write: (uri) => Promise.reject(new Error(`cannot write ${uri}: this reference was parsed without a blob store`)),
  list: (uri) => Promise.reject(new Error(`cannot list ${uri}: this reference was parsed without a blob store`)),
};
