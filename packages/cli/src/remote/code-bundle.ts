// Fast registration's code bundle (Flyte's fast-register tarball, for TypeScript): the user's own modules bundled
// by esbuild into one ES module that also re-exports the SDK's task runtime. As in Flyte, only the project's code
// travels; packages (the SDK, parquet-wasm, ...) come from the environment that runs the task, like an image.
// Uploaded through DataProxy's signed URL.
import { createHash } from "node:crypto";
import { dirname, resolve } from "node:path";
import { build } from "esbuild";
import type { Remote } from "./connection.ts";

export interface CodeBundle {
  bytes: Uint8Array;
  /** Hex MD5 of the bytes: names the upload and, by default, the registration version. */
  md5: string;
}

export async function bundleModule(file: string): Promise<CodeBundle> {
  const abs = resolve(file);
  const result = await build({
    stdin: {
      contents: `export * from ${JSON.stringify(abs)};\nexport { executeTask } from "@aloft/sdk";\n`,
      resolveDir: dirname(abs),
      sourcefile: "aloft-bundle-entry.ts",
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
    packages: "external",
  });
  const bytes = result.outputFiles[0]!.contents;
  return { bytes, md5: createHash("md5").update(bytes).digest("hex") };
}

/** Uploads the bundle where the server says (CreateUploadLocation), with the Content-MD5 it signed for. */
export async function uploadBundle(remote: Remote, bundle: CodeBundle): Promise<string> {
  const digest = Buffer.from(bundle.md5, "hex");
  const loc = await remote.dataProxy.createUploadLocation({ project: remote.project, domain: remote.domain, contentMd5: digest, filename: "bundle.mjs" });
  const res = await fetch(loc.signedUrl, { method: "PUT", headers: { ...loc.headers, "content-type": "application/octet-stream" }, body: bundle.bytes });
  if (!res.ok) throw new Error(`uploading the code bundle failed: HTTP ${res.status} ${await res.text()}`);
  return loc.nativeUrl;
}
