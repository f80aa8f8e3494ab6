// Blob store on any S3-compatible service through the AWS SDK v3. Large writes stream through a multipart upload
// (lib-storage's Upload) with a bounded number of parts in flight, so memory stays at about partSize × queueSize.
// The SDK is loaded when a store first talks to S3: importing it costs ~150 ms of startup that a server on the
// filesystem store would pay for nothing.
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { Readable, Transform } from "node:stream";
import type { BlobInfo, BlobStore, PutOptions, SignedUrl, SignedUrlOptions, WriteResult } from "./blob-store.ts";
import { BadDigestError, BlobNotFoundError, InvalidStorageArgumentError, InvalidUriError, StorageIoError } from "./errors.ts";
import { checkSignedUrlOptions } from "./signing.ts";
import { parseBlobUri } from "./uri.ts";

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3BlobStoreOptions {
  /** `s3://bucket/optional/prefix`: where this store's layout lives. Any s3:// URI can be read and written. */
  root: string;
  /** Custom endpoint for S3-compatible services, e.g. `http://127.0.0.1:9000`. */
  endpoint?: string;
  /** Defaults to us-east-1. */
  region?: string;
  /** Path-style addressing (`endpoint/bucket/key`), which most self-hosted services need. */
  forcePathStyle?: boolean;
  /** Defaults to the AWS SDK's provider chain (environment, shared config, instance role). */
  credentials?: S3Credentials;
  /** Multipart part size; at least 5 MiB (S3's minimum). Defaults to 8 MiB. */
  partSizeBytes?: number;
  /** Parts uploaded concurrently. Defaults to 4. */
  queueSize?: number;
  /** Keys per list request (S3 caps it at 1000, the default). */
  listPageSize?: number;
}

const MiB = 1024 * 1024;

interface Sdk {
  s3: typeof import("@aws-sdk/client-s3");
  storage: typeof import("@aws-sdk/lib-storage");
  presigner: typeof import("@aws-sdk/s3-request-presigner");
}
let sdkLoading: Promise<Sdk> | undefined;
const loadSdk = (): Promise<Sdk> =>
  (sdkLoading ??= Promise.all([import("@aws-sdk/client-s3"), import("@aws-sdk/lib-storage"), import("@aws-sdk/s3-request-presigner")]).then(
    ([s3, storage, presigner]) => ({ s3, storage, presigner }),
  ));

export class S3BlobStore implements BlobStore {
  readonly root: string;
  private readonly config: S3ClientConfig;
  private connecting: Promise<{ client: S3Client; sdk: Sdk }> | undefined;
  private client: S3Client | undefined;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly listPageSize: number;

  constructor(options: S3BlobStoreOptions) {
    const parsed = parseBlobUri(options.root);
    if (parsed.scheme !== "s3") throw new InvalidUriError(options.root, "an S3 store needs an s3:// root");
    this.root = options.root.replace(/\/+$/, "");
    this.partSize = options.partSizeBytes ?? 8 * MiB;
    this.queueSize = options.queueSize ?? 4;
    this.listPageSize = options.listPageSize ?? 1000;
    if (!Number.isInteger(this.listPageSize) || this.listPageSize < 1 || this.listPageSize > 1000) {
      throw new InvalidStorageArgumentError("listPageSize", `must be an integer from 1 to 1000, got ${this.listPageSize}`);
    }
    if (!Number.isInteger(this.partSize) || this.partSize < 5 * MiB) {
      throw new InvalidStorageArgumentError("partSizeBytes", `must be an integer of at least 5 MiB, got ${this.partSize}`);
    }
    if (!Number.isInteger(this.queueSize) || this.queueSize < 1) {
      throw new InvalidStorageArgumentError("queueSize", `must be a positive integer, got ${this.queueSize}`);
    }
    this.config = {
      region: options.region ?? "us-east-1",
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.forcePathStyle !== undefined ? { forcePathStyle: options.forcePathStyle } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Newer SDKs add CRC checksums (streamed as aws-chunked trailers) to every request; many S3-compatible
      // servers store those frames as data. With a custom endpoint, send checksums only where S3 requires them.
      ...(options.endpoint !== undefined
        ? { requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" }
        : {}),
    };
  }

  /** The SDK and this store's client, created on first use. */
  private s3(): Promise<{ client: S3Client; sdk: Sdk }> {
    return (this.connecting ??= loadSdk().then((sdk) => {
      this.client = new sdk.s3.S3Client(this.config);
      return { client: this.client, sdk };
    }));
  }

  /** Releases the client's sockets (a store that never talked to S3 has none). */
  destroy(): void {
    this.client?.destroy();
  }

  private loc(uri: string): { bucket: string; key: string } {
    const parsed = parseBlobUri(uri);
    if (parsed.scheme !== "s3") throw new InvalidUriError(uri, "this store holds s3:// URIs");
    if (parsed.key === "" || parsed.key.endsWith("/")) throw new InvalidUriError(uri, "names a bucket or folder, not a blob");
    return { bucket: parsed.bucket, key: parsed.key };
  }

  async get(uri: string): Promise<Uint8Array | undefined> {
    const { bucket, key } = this.loc(uri);
    try {
      const { client, sdk } = await this.s3();
      const out = await client.send(new sdk.s3.GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!out.Body) throw new Error("response has no body");
      return await out.Body.transformToByteArray();
    } catch (e) {
      if (errorName(e) === "NoSuchKey") return undefined;
      throw new StorageIoError(uri, "get", e);
    }
  }

  async put(uri: string, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
    const { bucket, key } = this.loc(uri);
    try {
      const { client, sdk } = await this.s3();
      await client.send(
        new sdk.s3.PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ...(options.contentType ? { ContentType: options.contentType } : {}),
          ...(options.contentMd5 ? { ContentMD5: options.contentMd5 } : {}),
        }),
      );
    } catch (e) {
      if (errorName(e) === "BadDigest" || errorName(e) === "InvalidDigest") {
        throw new BadDigestError(uri, options.contentMd5 ?? "", createHash("md5").update(bytes).digest("base64"));
      }
      throw new StorageIoError(uri, "put", e);
    }
  }

  async head(uri: string): Promise<BlobInfo | undefined> {
    const { bucket, key } = this.loc(uri);
    try {
      const { client, sdk } = await this.s3();
      const out = await client.send(new sdk.s3.HeadObjectCommand({ Bucket: bucket, Key: key }));
      return {
        uri,
        size: out.ContentLength ?? 0,
        ...(out.LastModified ? { lastModified: out.LastModified } : {}),
        ...(out.ETag ? { etag: out.ETag.replace(/"/g, "") } : {}),
      };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw new StorageIoError(uri, "head", e);
    }
  }

  async exists(uri: string): Promise<boolean> {
    return (await this.head(uri)) !== undefined;
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    const parsed = parseBlobUri(prefix);
    if (parsed.scheme !== "s3") throw new InvalidUriError(prefix, "this store lists s3:// prefixes");
    let token: string | undefined;
    do {
      let page;
      try {
        const { client, sdk } = await this.s3();
        page = await client.send(
          new sdk.s3.ListObjectsV2Command({
            Bucket: parsed.bucket,
            Prefix: parsed.key,
            MaxKeys: this.listPageSize,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
      } catch (e) {
        throw new StorageIoError(prefix, "list", e);
      }
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        yield {
          uri: `s3://${parsed.bucket}/${o.Key}`,
          size: o.Size ?? 0,
          ...(o.LastModified ? { lastModified: o.LastModified } : {}),
          ...(o.ETag ? { etag: o.ETag.replace(/"/g, "") } : {}),
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(uri: string): Promise<void> {
    const { bucket, key } = this.loc(uri);
    try {
      const { client, sdk } = await this.s3();
      await client.send(new sdk.s3.DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (e) {
      if (isNotFound(e)) return;
      throw new StorageIoError(uri, "delete", e);
    }
  }

  async openRead(uri: string): Promise<Readable> {
    const { bucket, key } = this.loc(uri);
    let body: unknown;
    try {
      const { client, sdk } = await this.s3();
      body = (await client.send(new sdk.s3.GetObjectCommand({ Bucket: bucket, Key: key }))).Body;
    } catch (e) {
      if (isNotFound(e)) throw new BlobNotFoundError(uri);
      throw new StorageIoError(uri, "openRead", e);
    }
    if (!(body instanceof Readable)) throw new StorageIoError(uri, "openRead", new Error("response body is not a Node stream"));
    return body;
  }

  async writeStream(uri: string, body: Readable, options: PutOptions = {}): Promise<WriteResult> {
    const { bucket, key } = this.loc(uri);
    let size = 0;
    let parts = 0;
    const md5 = createHash("md5");
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        md5.update(chunk);
        done(null, chunk);
      },
    });
    body.on("error", (e) => counter.destroy(e));
    const { client, sdk } = await this.s3();
    const upload = new sdk.storage.Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: body.pipe(counter), ...(options.contentType ? { ContentType: options.contentType } : {}) },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    upload.on("httpUploadProgress", (p) => {
      parts = Math.max(parts, p.part ?? 1);
    });
    try {
      await upload.done();
    } catch (e) {
      throw new StorageIoError(uri, "writeStream", e);
    }
    if (options.contentMd5 !== undefined) {
      // A multipart upload cannot carry one MD5 for the whole object, so the digest is checked after the upload
      // and a mismatching object is removed again (briefly visible, unlike on the filesystem store).
      const actual = md5.digest("base64");
      if (actual !== options.contentMd5) {
        await this.delete(uri);
        throw new BadDigestError(uri, options.contentMd5, actual);
      }
    }
    return { size, parts: Math.max(parts, 1) };
  }

  async copy(from: string, to: string): Promise<void> {
    const src = this.loc(from);
    const dst = this.loc(to);
    // CopySource is "bucket/key" URL-encoded, with the key's slashes kept.
    const source = `${src.bucket}/${encodeURIComponent(src.key).replace(/%2F/g, "/")}`;
    try {
      const { client, sdk } = await this.s3();
      await client.send(new sdk.s3.CopyObjectCommand({ Bucket: dst.bucket, Key: dst.key, CopySource: source }));
    } catch (e) {
      if (isNotFound(e)) throw new BlobNotFoundError(from);
      throw new StorageIoError(`${from} → ${to}`, "copy", e);
    }
  }

  async signedUrl(uri: string, options: SignedUrlOptions): Promise<SignedUrl> {
    checkSignedUrlOptions(options);
    const { bucket, key } = this.loc(uri);
    const expiresAt = new Date(Date.now() + options.expiresInSeconds * 1000);
    try {
      const { client, sdk } = await this.s3();
      const command =
        options.method === "GET"
          ? new sdk.s3.GetObjectCommand({ Bucket: bucket, Key: key })
          : new sdk.s3.PutObjectCommand({ Bucket: bucket, Key: key, ...(options.contentMd5 ? { ContentMD5: options.contentMd5 } : {}) });
      // Content-MD5 is signed, so the upload must carry exactly the announced body.
      const url = await sdk.presigner.getSignedUrl(client, command, {
        expiresIn: options.expiresInSeconds,
        ...(options.contentMd5 ? { signableHeaders: new Set(["content-md5"]) } : {}),
      });
      return { url, headers: options.contentMd5 ? { "Content-MD5": options.contentMd5 } : {}, expiresAt };
    } catch (e) {
      throw new StorageIoError(uri, "signedUrl", e);
    }
  }
}

function errorName(e: unknown): string | undefined {
  return (e as { name?: string } | undefined)?.name;
}

function isNotFound(e: unknown): boolean {
  const name = errorName(e);
  const status = (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return name === "NoSuchKey" || name === "NotFound" || status === 404;
}
