// Protobuf blobs (inputs.pb, outputs.pb, error.pb, futures.pb, offloaded literals) read and written with the
// message's schema, so a corrupt or mismatched file fails with the URI and the type that was expected.
import { fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { BlobStore } from "./blob-store.ts";
import { BlobNotFoundError, MalformedContentError } from "./errors.ts";

/** Reads and decodes a message; BlobNotFoundError when missing, MalformedContentError when the bytes do not parse. */
export async function readProto<Desc extends DescMessage>(store: BlobStore, uri: string, schema: Desc): Promise<MessageShape<Desc>> {
  const msg = await readProtoIfExists(store, uri, schema);
  if (msg === undefined) throw new BlobNotFoundError(uri);
  return msg;
}

/** Like readProto, but undefined when there is no blob (e.g. probing for error.pb or futures.pb). */
export async function readProtoIfExists<Desc extends DescMessage>(
  store: BlobStore,
  uri: string,
  schema: Desc,
): Promise<MessageShape<Desc> | undefined> {
  const bytes = await store.get(uri);
  if (bytes === undefined) return undefined;
  try {
    return fromBinary(schema, bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new MalformedContentError(uri, `not a valid ${schema.typeName} (${bytes.length} bytes): ${why}`);
  }
}

export async function writeProto<Desc extends DescMessage>(
  store: BlobStore,
  uri: string,
  schema: Desc,
  message: MessageShape<Desc>,
): Promise<void> {
  await store.put(uri, toBinary(schema, message), { contentType: "application/x-protobuf" });
}
