// Flyte multipart blobs (`FlyteDirectory`): a URI prefix holding many files. As with files, an input directory is
// listed and downloaded only when the task asks for it.
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describeLiteral, lit, types } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import { parseLocalPath, type BlobIO } from "./blob-io.ts";
import { downloadTo, freshUri, joinUri, scratchPath } from "./offload.ts";
import { describeValue, type Schema } from "./schema.ts";
import { FlyteFile } from "./file.ts";

type Source = { kind: "local"; path: string } | { kind: "remote"; uri: string; io: BlobIO; scratchDir: string };

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

export class FlyteDirectory {
  #source: Source;
  #localPath: string | undefined;
  readonly format: string;

  private constructor(source: Source, format: string) {
    this.#source = source;
    this.format = format;
    if (source.kind === "local") this.#localPath = source.path;
  }

  static fromPath(path: string, format = ""): FlyteDirectory {
    return new FlyteDirectory({ kind: "local", path }, format);
  }

  static fromUri(uri: string, io: BlobIO, scratchDir: string, format = ""): FlyteDirectory {
    return new FlyteDirectory({ kind: "remote", uri, io, scratchDir }, format);
  }

  get uri(): string | undefined {
    return this.#source.kind === "remote" ? this.#source.uri : undefined;
  }

  /** Relative names of the files inside, sorted. Listing a remote directory does not download it. */
  async list(): Promise<string[]> {
    const s = this.#source;
    if (s.kind === "local") return (await walk(s.path)).map((p) => relative(s.path, p));
    const prefix = s.uri.replace(/\/+$/, "") + "/";
    return (await s.io.list(prefix)).map((u) => u.slice(prefix.length)).sort();
  }

  /** One file inside the directory, by relative name; remote files stay lazy. */
  file(name: string): FlyteFile {
    const s = this.#source;
    return s.kind === "local" ? FlyteFile.fromPath(join(s.path, name)) : FlyteFile.fromUri(joinUri(s.uri, name), s.io, s.scratchDir);
  }

  /** A local directory with every file; downloads on first call. */
  async localPath(): Promise<string> {
    if (this.#localPath !== undefined) return this.#localPath;
    const s = this.#source;
    if (s.kind === "local") return s.path;
    const dir = scratchPath(s.scratchDir, "dir");
    await mkdir(dir, { recursive: true });
    for (const name of await this.list()) await downloadTo(s.io, joinUri(s.uri, name), join(dir, name));
    this.#localPath = dir;
    return dir;
  }

  async upload(io: BlobIO, rawOutputPrefix: string): Promise<string> {
    const s = this.#source;
    if (s.kind === "remote") return s.uri;
    const uri = freshUri(rawOutputPrefix);
    for (const p of await walk(s.path)) await io.write(joinUri(uri, relative(s.path, p)), new Uint8Array(await readFile(p)));
    this.#source = { kind: "remote", uri, io, scratchDir: "" };
    return uri;
  }

  toString(): string {
    return `FlyteDirectory(${this.uri ?? this.#localPath})`;
  }
}

export function directorySchema(format = ""): Schema<FlyteDirectory> {
  const check = (v: unknown) => (v instanceof FlyteDirectory ? undefined : `expected a FlyteDirectory, got ${describeValue(v)}`);
  const fromText = (json: unknown, path: string): FlyteDirectory => {
    if (typeof json !== "string" || json === "") throw new TypeMismatchError(path, `expected a directory path or URI, got ${describeValue(json)}`);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(json)) throw new TypeMismatchError(path, `directory URIs are not accepted here; give a local path`);
    return FlyteDirectory.fromPath(json, format);
  };
  return {
    name: "FlyteDirectory",
    literalType: () => types.blob(format, "multipart"),
    check,
    async toLiteral(value, ctx, path) {
      const why = check(value);
      if (why !== undefined) throw new TypeMismatchError(path, why);
      const uri = await value.upload(ctx.blobs, ctx.rawOutputPrefix);
      return lit.blob(uri, { format: format || value.format, dimensionality: "multipart" });
    },
    async fromLiteral(literal, ctx, path) {
      const sv = literal.value.case === "scalar" ? literal.value.value.value : undefined;
      if (sv?.case !== "blob") throw new TypeMismatchError(path, `expected a directory, got ${describeLiteral(literal)}`);
      return FlyteDirectory.fromUri(sv.value.uri, ctx.blobs, ctx.scratchDir, sv.value.metadata?.type?.format ?? format);
    },
    fromJson: fromText,
    toJson: (v) => v.uri ?? String(v),
    parse: parseLocalPath(fromText, "directory"),
  };
}
