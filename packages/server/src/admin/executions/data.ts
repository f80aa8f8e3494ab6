// Data references handed to clients: signed download URLs for offloaded inputs and outputs, and an execution's
// inputs wherever they are kept.
import { create, fromBinary } from "@bufbuild/protobuf";
import { admin, core } from "@aloft/idl";
import { readProtoIfExists } from "@aloft/storage";
import type { AdminContext } from "../../context.ts";
import type { ExecutionRow } from "../../db/schema.ts";

/** Execution inputs at most this large (encoded) are kept in the execution record instead of a blob. */
export const INLINE_INPUTS_MAX_BYTES = 64 * 1024;

/** The inputs an execution runs with (defaults and fixed inputs applied). */
export async function executionInputs(ctx: AdminContext, row: ExecutionRow): Promise<core.LiteralMap> {
  if (row.inputs) return fromBinary(core.LiteralMapSchema, row.inputs);
  return (await readProtoIfExists(ctx.blobs, row.inputs_uri, core.LiteralMapSchema)) ?? create(core.LiteralMapSchema, {});
}

/** The inputs as the request gave them (what relaunch and recover start from). */
export async function userInputs(ctx: AdminContext, row: ExecutionRow): Promise<core.LiteralMap> {
  if (row.user_inputs) return fromBinary(core.LiteralMapSchema, row.user_inputs);
  // Kept inline and the same as the execution's inputs.
  if (!row.user_inputs_uri && row.inputs) return fromBinary(core.LiteralMapSchema, row.inputs);
  return (await readProtoIfExists(ctx.blobs, row.user_inputs_uri, core.LiteralMapSchema)) ?? create(core.LiteralMapSchema, {});
}

export async function urlBlob(ctx: AdminContext, uri: string): Promise<admin.UrlBlob | undefined> {
  if (!uri) return undefined;
  const info = await ctx.blobs.head(uri);
  if (!info) return undefined;
  const signed = await ctx.blobs.signedUrl(uri, { method: "GET", expiresInSeconds: 3600 });
  return create(admin.UrlBlobSchema, { url: signed.url, bytes: BigInt(info.size) });
}
