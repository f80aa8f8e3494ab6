// Where transformers put data they offload, and how they fetch it back to local disk.
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { BlobIO } from "./blob-io.ts";

export function joinUri(prefix: string, ...parts: string[]): string {
  return [prefix.replace(/\/+$/, ""), ...parts.map((p) => p.replace(/^\/+|\/+$/g, ""))].join("/");
}

/** A fresh location under the raw output prefix; random like flytekit's, so two uploads never collide. */
export function freshUri(rawOutputPrefix: string): string {
  return joinUri(rawOutputPrefix, randomBytes(10).toString("hex"));
}

/** Downloads one blob to `localPath`, creating directories as needed. */
export async function downloadTo(io: BlobIO, uri: string, localPath: string): Promise<void> {
  const data = await io.read(uri);
  await mkdir(dirname(localPath), { recursive: true });
  await writeFile(localPath, data);
}

/** A scratch subdirectory name for a download, unique per call. */
export function scratchPath(scratchDir: string, name: string): string {
  return join(scratchDir, randomBytes(8).toString("hex"), name);
}
