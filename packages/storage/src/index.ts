// Public surface of @aloft/storage: blob stores (filesystem, S3), signed URLs, protobuf blobs, Flyte's data layout
// and literal offloading.
export type { BlobInfo, BlobStore, PutOptions, SignedUrl, SignedUrlMethod, SignedUrlOptions, WriteResult } from "./blob-store.ts";
export { FileSystemBlobStore, type FileSystemBlobStoreOptions } from "./fs-store.ts";
export { S3BlobStore, type S3BlobStoreOptions, type S3Credentials } from "./s3-store.ts";
export { createBlobStore, type BlobStoreOptions } from "./factory.ts";
export {
  signBlobUrl,
  verifyBlobUrl,
  MAX_SIGNED_URL_SECONDS,
  type UrlSigningConfig,
  type SignRequest,
  type VerifiedBlobRequest,
} from "./signing.ts";
export { serveSignedBlobRequest } from "./blob-route.ts";
export { readProto, readProtoIfExists, writeProto } from "./proto.ts";
export {
  DataLayout,
  type DataLayoutOptions,
  type ExecutionRef,
  type NodeStep,
  type NodeDataPaths,
  type UploadLocationRequest,
} from "./layout.ts";
export { offloadLiteral, loadOffloaded, resolveOffloaded, type OffloadOptions } from "./offload.ts";
export { parseBlobUri, joinUri, type ParsedBlobUri } from "./uri.ts";
export { fixedLengthUniqueId } from "./unique-id.ts";
export {
  StorageError,
  BlobNotFoundError,
  InvalidUriError,
  InvalidStorageArgumentError,
  MalformedContentError,
  BadDigestError,
  InvalidSignatureError,
  UnsupportedOperationError,
  StorageIoError,
  type StorageErrorCode,
} from "./errors.ts";
