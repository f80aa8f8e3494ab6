// The default blob store: a directory tree on local disk. Blob URIs are absolute `file://` URIs inside the store's
// root, so a task process on the same machine can open the files directly.
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { BlobInfo, BlobStore, PutOptions, SignedUrl, SignedUrlOptions, WriteResult } from "./blob-store.ts";
import { BadDigestError, BlobNotFoundError, InvalidUriError, StorageIoError, UnsupportedOperationError } from "./errors.ts";
import { checkSignedUrlOptions, checkSigningConfig, signBlobUrl, type UrlSigningConfig } from "./signing.ts";
import { joinUri, parseBlobUri } from "./uri.ts";

export interface FileSystemBlobStoreOptions {
  /** `file:///absolute/dir`; created on first write. */
  root: string;
  /** Enables `signedUrl`: URLs point at the server route given here. */
  signing?: UrlSigningConfig;
  /** Clock for signed URL expiry. */
  now?: () => Date;
  /**
   * fsync each blob and its directory before a write returns (default true): the engine treats a written
   * outputs.pb as durable. Turn off only for scratch data.
   */
  durable?: boolean;
}

// Writes go to a temporary sibling and are renamed into place, so readers see whole blobs or none.
const TMP_MARKER = ".aloft-tmp-";

export class FileSystemBlobStore implements BlobStore {
  readonly root: string;
  private readonly rootPath: string;
  private readonly signing: UrlSigningConfig | undefined;
  private readonly now: () => Date;
  private readonly durable: boolean;

  constructor(options: FileSystemBlobStoreOptions) {
    const parsed = parseBlobUri(options.root);
    if (parsed.scheme !== "file") throw new InvalidUriError(options.root, "a filesystem store needs a file:// root");
    const rootPath = path.posix.normalize(parsed.path).replace(/\/+$/, "");
    if (rootPath === "") throw new InvalidUriError(options.root, "the filesystem root / cannot be a store root");
    if (options.signing) checkSigningConfig(options.signing);
    this.rootPath = rootPath;
    this.root = `file://${rootPath}`;
    this.signing = options.signing;
    this.now = options.now ?? (() => new Date());
    this.durable = options.durable ?? true;
  }

  /** The file path of a blob URI; InvalidUriError unless it lies inside the root. */
  pathOf(uri: string): string {
    const parsed = parseBlobUri(uri);
    if (parsed.scheme !== "file") throw new InvalidUriError(uri, `this store holds file:// URIs under ${this.root}`);
    const p = path.posix.normalize(parsed.path);
    if (!p.startsWith(`${this.rootPath}/`) || p.endsWith("/")) {
      throw new InvalidUriError(uri, `not a blob under the store root ${this.root}`);
    }
    return p;
  }

  /** The key of a blob URI relative to the root (what signed URLs carry). */
  keyOf(uri: string): string {
    return this.pathOf(uri).slice(this.rootPath.length + 1);
  }

  /** The blob URI for a key relative to the root (what the server's signed-URL route resolves). */
  uriForKey(key: string): string {
    const uri = joinUri(this.root, key);
    this.pathOf(uri);
    return uri;
  }

  async get(uri: string): Promise<Uint8Array | undefined> {
    const p = this.pathOf(uri);
    try {
      return new Uint8Array(await fsp.readFile(p));
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw new StorageIoError(uri, "get", e);
    }
  }

  async put(uri: string, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
    const p = this.pathOf(uri);
    if (options.contentMd5 !== undefined) {
      const actual = createHash("md5").update(bytes).digest("base64");
      if (actual !== options.contentMd5) throw new BadDigestError(uri, options.contentMd5, actual);
    }
    await this.atomically(uri, "put", p, (tmp) => fsp.writeFile(tmp, bytes));
  }

  async head(uri: string): Promise<BlobInfo | undefined> {
    const p = this.pathOf(uri);
    try {
      const st = await fsp.stat(p);
      return st.isFile() ? { uri, size: st.size, lastModified: st.mtime } : undefined;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw new StorageIoError(uri, "head", e);
    }
  }

  async exists(uri: string): Promise<boolean> {
    return (await this.head(uri)) !== undefined;
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    const parsed = parseBlobUri(prefix);
    if (parsed.scheme !== "file" || !(parsed.path === this.rootPath || parsed.path.startsWith(`${this.rootPath}/`))) {
      throw new InvalidUriError(prefix, `list prefixes must lie under the store root ${this.root}`);
    }
    const start = parsed.path.endsWith("/") ? parsed.path.slice(0, -1) : path.posix.dirname(parsed.path);
    yield* this.walk(start.length < this.rootPath.length ? this.rootPath : start, parsed.path);
  }

  // Depth-first with entries sorted by name (directories as "name/"), which yields paths in byte order like S3.
  private async *walk(dir: string, prefix: string): AsyncIterable<BlobInfo> {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isMissing(e)) return;
      throw new StorageIoError(`file://${dir}`, "list", e);
    }
    const named = entries
      .filter((d) => !d.name.includes(TMP_MARKER) && (d.isFile() || d.isDirectory()))
      .map((d) => ({ d, sortKey: Buffer.from(d.isDirectory() ? `${d.name}/` : d.name) }))
      .sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));
    for (const { d } of named) {
      const p = `${dir}/${d.name}`;
      if (d.isDirectory()) {
        if (`${p}/`.startsWith(prefix) || prefix.startsWith(`${p}/`)) yield* this.walk(p, prefix);
      } else if (p.startsWith(prefix)) {
        const st = await fsp.stat(p).catch(() => undefined); // may vanish between readdir and stat
        if (st) yield { uri: `file://${p}`, size: st.size, lastModified: st.mtime };
      }
    }
  }

  async delete(uri: string): Promise<void> {
    const p = this.pathOf(uri);
    try {
      await fsp.unlink(p);
    } catch (e) {
      if (isMissing(e)) return;
      throw new StorageIoError(uri, "delete", e);
    }
  }

  async openRead(uri: string): Promise<Readable> {
    const p = this.pathOf(uri);
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(p, "r");
    } catch (e) {
      if (isMissing(e)) throw new BlobNotFoundError(uri);
      throw new StorageIoError(uri, "openRead", e);
    }
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      throw new BlobNotFoundError(uri);
    }
    return handle.createReadStream();
  }

  async writeStream(uri: string, body: Readable, options: PutOptions = {}): Promise<WriteResult> {
    const p = this.pathOf(uri);
    let size = 0;
    const md5 = createHash("md5");
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        md5.update(chunk);
        done(null, chunk);
      },
    });
    const expected = options.contentMd5;
    await this.atomically(uri, "writeStream", p, async (tmp) => {
      await pipeline(body, counter, createWriteStream(tmp));
      // Checked before the rename, so a body that does not match its announced digest never becomes visible.
      if (expected !== undefined) {
        const actual = md5.digest("base64");
        if (actual !== expected) throw new BadDigestError(uri, expected, actual);
      }
    });
    return { size, parts: 1 };
  }

  /** The signing config, for the route that serves this store's signed URLs (see serveSignedBlobRequest). */
  get signingConfig(): UrlSigningConfig | undefined {
    return this.signing;
  }

  async copy(from: string, to: string): Promise<void> {
    const src = this.pathOf(from);
    const dst = this.pathOf(to);
    try {
      await this.atomically(to, "copy", dst, (tmp) => fsp.copyFile(src, tmp));
    } catch (e) {
      if (e instanceof StorageIoError && isMissing(e.cause) && !(await this.exists(from))) throw new BlobNotFoundError(from);
      throw e;
    }
  }

  async signedUrl(uri: string, options: SignedUrlOptions): Promise<SignedUrl> {
    checkSignedUrlOptions(options);
    if (!this.signing) {
      throw new UnsupportedOperationError(`signed URLs for ${this.root} need a signing config (server base URL and secret)`);
    }
    const key = this.keyOf(uri);
    const expiresAt = new Date(this.now().getTime() + options.expiresInSeconds * 1000);
    return signBlobUrl(this.signing, {
      key,
      method: options.method,
      expiresAt,
      ...(options.contentMd5 !== undefined ? { contentMd5: options.contentMd5 } : {}),
    });
  }

  private async atomically(uri: string, op: string, target: string, write: (tmp: string) => Promise<unknown>): Promise<void> {
    const dir = path.posix.dirname(target);
    const tmp = `${dir}/.${path.posix.basename(target)}${TMP_MARKER}${randomBytes(6).toString("hex")}`;
    try {
      await fsp.mkdir(dir, { recursive: true });
      await write(tmp);
      if (this.durable) await syncPath(tmp);
      await fsp.rename(tmp, target);
      // The rename itself lives in the directory; sync it too, or a crash can forget a blob already reported written.
      if (this.durable) await syncPath(dir);
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      if (e instanceof BadDigestError) throw e;
      throw new StorageIoError(uri, op, e);
    }
  }
}

async function syncPath(p: string): Promise<void> {
  const handle = await fsp.open(p, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR";
}
