// Storage errors are values with a stable `code`, so the server can map them to gRPC/HTTP statuses in one place
// and callers can branch without parsing messages.

export type StorageErrorCode =
  | "NOT_FOUND"
  | "INVALID_URI"
  | "INVALID_ARGUMENT"
  | "MALFORMED_CONTENT"
  | "BAD_DIGEST"
  | "INVALID_SIGNATURE"
  | "UNSUPPORTED"
  | "STORAGE_IO";

export abstract class StorageError extends Error {
  abstract readonly code: StorageErrorCode;
}

/** No blob at `uri` (or the bucket does not exist). */
export class BlobNotFoundError extends StorageError {
  readonly code = "NOT_FOUND";
  constructor(readonly uri: string) {
    super(`no blob at ${uri}`);
    this.name = "BlobNotFoundError";
  }
}

/** A URI that this store cannot address: wrong scheme, bad bucket, path traversal, outside the store root. */
export class InvalidUriError extends StorageError {
  readonly code = "INVALID_URI";
  constructor(
    readonly uri: string,
    readonly reason: string,
  ) {
    super(`invalid blob URI ${JSON.stringify(uri)}: ${reason}`);
    this.name = "InvalidUriError";
  }
}

/** A store option, URI parameter or layout argument that is missing or wrong; `field` names it. */
export class InvalidStorageArgumentError extends StorageError {
  readonly code = "INVALID_ARGUMENT";
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = "InvalidStorageArgumentError";
  }
}

/** A blob exists but its bytes are not what the reader expects (e.g. not a valid protobuf message). */
export class MalformedContentError extends StorageError {
  readonly code = "MALFORMED_CONTENT";
  constructor(
    readonly uri: string,
    readonly reason: string,
  ) {
    super(`malformed content at ${uri}: ${reason}`);
    this.name = "MalformedContentError";
  }
}

/** Written bytes do not have the MD5 the writer announced; nothing was stored. */
export class BadDigestError extends StorageError {
  readonly code = "BAD_DIGEST";
  constructor(
    readonly uri: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`content of ${uri} has MD5 ${actual}, expected ${expected}`);
    this.name = "BadDigestError";
  }
}

/** A signed URL that is tampered with, expired, or used with another method than it was signed for. */
export class InvalidSignatureError extends StorageError {
  readonly code = "INVALID_SIGNATURE";
  constructor(readonly reason: string) {
    super(`invalid signed URL: ${reason}`);
    this.name = "InvalidSignatureError";
  }
}

/** The store cannot do this (e.g. signed URLs on a filesystem store without signing configured). */
export class UnsupportedOperationError extends StorageError {
  readonly code = "UNSUPPORTED";
  constructor(reason: string) {
    super(reason);
    this.name = "UnsupportedOperationError";
  }
}

/** Any other failure talking to the backing store; `cause` holds the underlying error. */
export class StorageIoError extends StorageError {
  readonly code = "STORAGE_IO";
  constructor(
    readonly uri: string,
    readonly operation: string,
    cause: unknown,
  ) {
    super(`${operation} ${uri} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "StorageIoError";
  }
}
