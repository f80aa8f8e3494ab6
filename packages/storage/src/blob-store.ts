// The one interface every part of Aloft uses to read and write data: literals, offloaded inputs/outputs, raw task
// data. Implementations: FileSystemBlobStore (the default, for a single machine) and S3BlobStore.
import type { Readable } from "node:stream";

export interface BlobInfo {
  uri: string;
  size: number;
  lastModified?: Date;
  /** Backend entity tag when there is one (S3: the object's ETag without quotes). */
  etag?: string;
}

export interface PutOptions {
  contentType?: string;
  /** Base64 MD5 the content must have; on mismatch the write fails with BadDigestError and stores nothing. */
  contentMd5?: string;
}

export interface WriteResult {
  /** Bytes written. */
  size: number;
  /** Requests the data took: 1 for a single PUT or a file, the part count for an S3 multipart upload. */
  parts: number;
}

export type SignedUrlMethod = "GET" | "PUT";

export interface SignedUrlOptions {
  method: SignedUrlMethod;
  expiresInSeconds: number;
  /** Base64 MD5 of the body a PUT must carry (sent by the client as the Content-MD5 header). */
  contentMd5?: string;
}

export interface SignedUrl {
  url: string;
  /** Headers the client must send with the request for the signature to hold (e.g. Content-MD5). */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface BlobStore {
  /** The URI this store was configured with, e.g. `file:///var/aloft/data` or `s3://bucket/prefix`. */
  readonly root: string;
  /** The whole blob, or undefined when there is none. Use `openRead` for large blobs. */
  get(uri: string): Promise<Uint8Array | undefined>;
  /** Writes (or replaces) a blob; readers never see a partial blob. */
  put(uri: string, bytes: Uint8Array, options?: PutOptions): Promise<void>;
  /** Size and metadata, or undefined when there is no blob. */
  head(uri: string): Promise<BlobInfo | undefined>;
  exists(uri: string): Promise<boolean>;
  /**
   * Every blob whose URI starts with `prefix` (a plain string prefix, as S3 defines it). Order is the backend's:
   * byte order for the filesystem store and AWS S3, but some S3-compatible servers differ, so do not rely on it.
   */
  list(prefix: string): AsyncIterable<BlobInfo>;
  /** Deletes a blob; deleting a missing blob is not an error (S3 semantics). */
  delete(uri: string): Promise<void>;
  /** Streams a blob; BlobNotFoundError when there is none. */
  openRead(uri: string): Promise<Readable>;
  /** Streams `body` into a blob without holding it in memory (S3: multipart upload). */
  writeStream(uri: string, body: Readable, options?: PutOptions): Promise<WriteResult>;
  /** Copies a blob inside the store; BlobNotFoundError when the source is missing. */
  copy(from: string, to: string): Promise<void>;
  /** A URL that lets a client without credentials GET or PUT this blob until it expires. */
  signedUrl(uri: string, options: SignedUrlOptions): Promise<SignedUrl>;
}
