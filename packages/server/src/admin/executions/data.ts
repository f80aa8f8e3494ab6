// Data references handed to clients: signed download URLs for offloaded inputs and outputs.
import { create } from "@bufbuild/protobuf";
import { admin } from "@aloft/idl";
import type { AdminContext } from "../../context.ts";

export async function urlBlob(ctx: AdminContext, uri: string): Promise<admin.UrlBlob | undefined> {
  if (!uri || !(await ctx.data.exists(uri))) return undefined;
  return create(admin.UrlBlobSchema, { url: await ctx.data.signedDownloadUrl(uri, { expiresInSeconds: 3600 }) });
}
