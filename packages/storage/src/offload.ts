// Literal offloading (Flyte RFC 1893): a literal too large to travel inline (in events, in the workflow CRD, in
// inputs.pb) is written to its own blob and replaced by `offloaded_metadata` pointing at it.
import { create, toBinary } from "@bufbuild/protobuf";
import { core, literalDigest } from "@aloft/idl";
import type { BlobStore } from "./blob-store.ts";
import { InvalidStorageArgumentError } from "./errors.ts";
import { readProto } from "./proto.ts";

export interface OffloadOptions {
  /** The literal's type, recorded as `inferred_type` (normally the declared type of the variable). */
  type: core.LiteralType;
  /** Literals smaller than this stay inline and are returned unchanged. Default 0: always offload. */
  minSizeBytes?: number;
  /** Literals larger than this are refused (Flyte's max offloading size). Default: no limit. */
  maxSizeBytes?: number;
}

/**
 * Writes `literal` to `uri` and returns its offloaded form, or the literal itself when it is under the threshold.
 * The returned literal keeps the original's hash, or gets the digest of its content as hash (as flytepropeller
 * does), so cache keys do not depend on where the data was written.
 */
export async function offloadLiteral(store: BlobStore, literal: core.Literal, uri: string, options: OffloadOptions): Promise<core.Literal> {
  if (literal.value.case === "offloadedMetadata") return literal;
  const bytes = toBinary(core.LiteralSchema, literal);
  if (bytes.length < (options.minSizeBytes ?? 0)) return literal;
  if (options.maxSizeBytes !== undefined && bytes.length > options.maxSizeBytes) {
    throw new InvalidStorageArgumentError(
      "literal",
      `is ${bytes.length} bytes, over the offloading limit of ${options.maxSizeBytes} bytes`,
    );
  }
  await store.put(uri, bytes, { contentType: "application/x-protobuf" });
  const hash = literal.hash !== "" ? literal.hash : Buffer.from(literalDigest(literal)).toString("base64url");
  return create(core.LiteralSchema, {
    value: {
      case: "offloadedMetadata",
      value: create(core.LiteralOffloadedMetadataSchema, { uri, sizeBytes: BigInt(bytes.length), inferredType: options.type }),
    },
    hash,
    metadata: { ...literal.metadata },
  });
}

/** The literal an offloaded literal points at; any other literal is returned as is. */
export async function loadOffloaded(store: BlobStore, literal: core.Literal): Promise<core.Literal> {
  if (literal.value.case !== "offloadedMetadata") return literal;
  const { uri } = literal.value.value;
  if (uri === "") throw new InvalidStorageArgumentError("offloaded_metadata.uri", "is empty");
  return readProto(store, uri, core.LiteralSchema);
}

/** Loads every offloaded literal in a map, at any depth of collections and maps. */
export async function resolveOffloaded(store: BlobStore, map: core.LiteralMap): Promise<core.LiteralMap> {
  const literals: Record<string, core.Literal> = {};
  for (const [name, l] of Object.entries(map.literals)) literals[name] = await resolveLiteral(store, l);
  return create(core.LiteralMapSchema, { literals });
}

async function resolveLiteral(store: BlobStore, literal: core.Literal): Promise<core.Literal> {
  const l = await loadOffloaded(store, literal);
  if (l.value.case === "collection") {
    const items = await Promise.all(l.value.value.literals.map((x) => resolveLiteral(store, x)));
    return { ...l, value: { case: "collection", value: create(core.LiteralCollectionSchema, { literals: items }) } };
  }
  if (l.value.case === "map") {
    return { ...l, value: { case: "map", value: await resolveOffloaded(store, l.value.value) } };
  }
  return l;
}
