// Adapts the blob stores Aloft has to the SDK's BlobIO: @aloft/storage's BlobStore (get/put/list) used by the
// task runtime, and the engine's narrower read/write store handed to task plugins.
import { createBlobStore, type BlobStore } from "@aloft/storage";
import { SerializationError } from "../errors.ts";
import type { BlobIO } from "../types/blob-io.ts";

export interface ReadWriteStore {
  read(uri: string): Promise<Uint8Array>;
  write(uri: string, data: Uint8Array): Promise<void>;
  list?(prefix: string): Promise<string[]> | AsyncIterable<{ uri: string } | string>;
}

/** A store with whole-blob get/put (the engine's view of a store) and, optionally, listing. */
export interface GetPutStore {
  get(uri: string): Promise<Uint8Array | undefined>;
  put(uri: string, bytes: Uint8Array): Promise<void>;
  list?(prefix: string): AsyncIterable<{ uri: string }>;
}

function isGetPut(s: unknown): s is GetPutStore {
  return typeof (s as GetPutStore).get === "function" && typeof (s as GetPutStore).put === "function";
}

async function collect(it: Promise<string[]> | AsyncIterable<{ uri: string } | string>): Promise<string[]> {
  if (it instanceof Promise) return it;
  const out: string[] = [];
  for await (const x of it) out.push(typeof x === "string" ? x : x.uri);
  return out;
}

export function blobIO(store: GetPutStore | ReadWriteStore): BlobIO {
  if (isGetPut(store)) {
    return {
      async read(uri) {
        const data = await store.get(uri);
        if (data === undefined) throw new SerializationError(`no blob at ${uri}`);
        return data;
      },
      write: (uri, data) => store.put(uri, data),
      list(prefix) {
        if (!store.list) return Promise.reject(new SerializationError(`this blob store cannot list ${prefix}; directories need a store that lists`));
        return collect(store.list(prefix));
      },
    };
  }
  const s = store as ReadWriteStore;
  return {
    read: (uri) => s.read(uri),
    write: (uri, data) => s.write(uri, data),
    list(prefix) {
      if (!s.list) return Promise.reject(new SerializationError(`this blob store cannot list ${prefix}; directories need a store that lists`));
      return collect(s.list(prefix));
    },
  };
}

/**
 * The store holding `uri` when the runtime runs in a task process: `ALOFT_STORE` when set (the engine passes
 * it), else the bucket of an s3:// URI or the top directory of a file:// URI.
 */
export function storeFor(uri: string): BlobStore {
  const configured = process.env.ALOFT_STORE;
  if (configured) return createBlobStore(configured);
  if (uri.startsWith("s3://")) return createBlobStore(`s3://${uri.slice(5).split("/")[0]}`);
  const m = /^file:\/\/(\/[^/]+)\//.exec(uri);
  if (!m) throw new SerializationError(`cannot tell which blob store holds ${uri}; set ALOFT_STORE`);
  return createBlobStore(`file://${m[1]}`);
}
