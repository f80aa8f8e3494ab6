// A whole-blob store in memory, for local runs and tests that need no files.
import type { BlobStore } from "./blob-store.ts";

export class MemoryBlobStore implements BlobStore {
  readonly blobs = new Map<string, Uint8Array>();
  async get(uri: string): Promise<Uint8Array | undefined> {
    return this.blobs.get(uri);
  }
  async put(uri: string, bytes: Uint8Array): Promise<void> {
    this.blobs.set(uri, bytes);
  }
}
