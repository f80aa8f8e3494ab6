// The engine only reads and writes whole blobs, so it asks for just that part of @aloft/storage's
// BlobStore: any full store fits, and local runs can pass a small in-memory one.
import type { BlobStore as StorageBlobStore } from "@aloft/storage";

export type BlobStore = Pick<StorageBlobStore, "get" | "put">;
