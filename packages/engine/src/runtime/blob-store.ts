// The engine only reads and writes whole blobs, so it asks for just that part of @aloft/storage's
// BlobStore: any full store fits, and local runs can pass a small in-memory one. Listing is optional and
// needs only URIs: just directory (multipart blob) inputs of raw container tasks use it, and say so when absent.
import type { BlobInfo, BlobStore as StorageBlobStore } from "@aloft/storage";

export type BlobStore = Pick<StorageBlobStore, "get" | "put"> & { list?(prefix: string): AsyncIterable<Pick<BlobInfo, "uri">> };
