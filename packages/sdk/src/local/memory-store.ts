// An in-memory blob store for local runs: the engine's get/put plus listing, which directories and datasets need.
export class MemoryBlobs {
  readonly blobs = new Map<string, Uint8Array>();
  async get(uri: string): Promise<Uint8Array | undefined> {
    return this.blobs.get(uri);
  }
  async put(uri: string, bytes: Uint8Array): Promise<void> {
    this.blobs.set(uri, bytes);
  }
  async *list(prefix: string): AsyncIterable<{ uri: string }> {
    for (const uri of [...this.blobs.keys()].sort()) if (uri.startsWith(prefix)) yield { uri };
  }
}
