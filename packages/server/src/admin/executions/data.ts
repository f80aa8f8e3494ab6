// Data references handed to clients: signed download URLs for offloaded inputs and outputs.
import { create } from "@bufbuild/protobuf";
import { admin } from "@aloft/idl";
import type { AdminContext } from "../../context.ts";

export async function urlBlob(ctx: AdminContext, uri: string): Promise<admin.UrlBlob | undefined> {
  if (!uri) return undefined;
  const info = await ctx.blobs.head(uri);
  if (!info) return undefined;
  const signed = await ctx.blobs.signedUrl(uri, { method: "GET", expiresInSeconds: 3600 });
  return create(admin.UrlBlobSchema, { url: signed.url, bytes: BigInt(info.size) });
}
