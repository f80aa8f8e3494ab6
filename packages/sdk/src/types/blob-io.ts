// The blob operations transformers need. Kept this narrow so any store (the filesystem store, S3, the in-memory
// store of a local run) can be adapted in a few lines, and so tests can count reads to prove laziness.
export interface BlobIO {
  read(uri: string): Promise<Uint8Array>;
  write(uri: string, data: Uint8Array): Promise<void>;
  /** URIs of all objects under `prefix` (recursive), for directories and multi-file datasets. */
  list(prefix: string): Promise<string[]>;
}
