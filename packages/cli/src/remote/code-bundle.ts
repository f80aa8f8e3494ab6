// Fast registration's code bundle (Flyte's fast-register tarball, for TypeScript): every module of the project a
// workflow file reaches, bundled by esbuild into one ES module that lists them under their paths relative to the
// project root (the layout the SDK's task runtime reads; see codeBundleEntry). Module paths are fixed here, at
// registration, so a task's identity does not depend on where a server unpacks the bundle. As in Flyte, only the
// project's code travels; packages (the SDK, parquet-wasm, the project's workspace and npm dependencies) come from
// the environment that runs the task, like an image. Uploaded through DataProxy's signed URL.
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { build, type Metafile } from "esbuild";
import { codeBundleEntry, type BundledModule } from "@aloft/sdk";
import type { service } from "@aloft/idl";
import type { Remote } from "./connection.ts";

export interface CodeBundle {
  bytes: Uint8Array;
  /** Hex MD5 of the bytes: names the upload and, by default, the registration version. */
  md5: string;
  /** The modules it holds, in evaluation order. */
  modules: BundledModule[];
}

const options = { bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "silent", packages: "external" } as const;
const sourceFile = /\.[cm]?[jt]sx?$/;

/**
 * The project modules `file` reaches, in ESM evaluation order (a module after everything it imports statically),
 * then those reached only by dynamic import. Paths are relative to `root`, as esbuild reports them.
 */
export function evaluationOrder(metafile: Metafile, entry: string): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (path: string, kinds: ReadonlySet<string>) => {
    if (seen.has(path) || !metafile.inputs[path]) return;
    seen.add(path);
    for (const i of metafile.inputs[path].imports) if (!i.external && kinds.has(i.kind)) visit(i.path, kinds);
    order.push(path);
  };
  visit(entry, new Set(["import-statement"]));
  for (const path of Object.keys(metafile.inputs)) visit(path, new Set(["import-statement", "dynamic-import", "require-call"]));
  return order.filter((p) => sourceFile.test(p) && !p.startsWith("../") && !p.includes(":"));
}

export async function bundleModule(file: string, root: string = process.cwd()): Promise<CodeBundle> {
  const abs = resolve(root, file);
  // First pass: which modules the file reaches (esbuild names them relative to absWorkingDir, the project root).
  const scan = await build({ ...options, entryPoints: [abs], absWorkingDir: resolve(root), write: false, metafile: true });
  const entry = Object.keys(scan.metafile.inputs).find((p) => resolve(root, p) === abs);
  if (entry === undefined) throw new Error(`esbuild did not read ${file}`);
  if (entry.startsWith("../")) throw new Error(`${file} is outside the project root ${root}`);
  const modules = evaluationOrder(scan.metafile, entry).map((modulePath) => ({ modulePath, file: resolve(root, modulePath) }));
  const result = await build({
    ...options,
    stdin: { contents: codeBundleEntry(modules), resolveDir: resolve(root), sourcefile: "aloft-bundle-entry.js", loader: "js" },
    absWorkingDir: resolve(root),
    write: false,
  });
  const bytes = result.outputFiles[0]!.contents;
  return { bytes, md5: createHash("md5").update(bytes).digest("hex"), modules };
}

/** Where the server wants the bundle (CreateUploadLocation, signed for its Content-MD5); nothing is sent yet. */
export async function bundleLocation(remote: Remote, bundle: CodeBundle): Promise<service.CreateUploadLocationResponse> {
  const digest = Buffer.from(bundle.md5, "hex");
  return remote.dataProxy.createUploadLocation({ project: remote.project, domain: remote.domain, contentMd5: digest, filename: "bundle.mjs" });
}

/** Uploads the bundle to the location bundleLocation gave. */
export async function uploadBundle(loc: service.CreateUploadLocationResponse, bundle: CodeBundle): Promise<void> {
  const res = await fetch(loc.signedUrl, { method: "PUT", headers: { ...loc.headers, "content-type": "application/octet-stream" }, body: bundle.bytes });
  if (!res.ok) throw new Error(`uploading the code bundle failed: HTTP ${res.status} ${await res.text()}`);
}
