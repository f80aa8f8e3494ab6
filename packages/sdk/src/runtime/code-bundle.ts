// Fast registration's code bundle, as the task runtime sees it: one ES module holding every module of the project
// a workflow file reaches, each under its module path relative to the project root at registration. The task
// runtime finds `--module <path> --task <export>` in that map, and records each module's exports as their
// location, so tasks a dynamic task adds at run time get the identity they were registered with, wherever the
// bundle was unpacked.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { threadId } from "node:worker_threads";
import { recordCodeBundleFile, recordModuleLocations } from "../serialize/identity.ts";
import { blobIO, storeFor } from "./blob-io.ts";

/** The bundle's export listing its modules as [module path, namespace] pairs, dependencies first. */
export const CODE_BUNDLE_MODULES = "aloftModules";

export interface BundledModule {
  /** Module path relative to the project root (POSIX separators), as the serializer records it. */
  modulePath: string;
  /** Absolute path the bundler reads it from. */
  file: string;
}

/**
 * Source of the bundle's entry: imports every module, in evaluation order (dependencies first: an entity's first
 * module is the one that defined it), and exports them under their module paths.
 */
export function codeBundleEntry(modules: readonly BundledModule[]): string {
  const imports = modules.map((m, i) => `import * as m${i} from ${JSON.stringify(m.file)};`);
  const list = modules.map((m, i) => `[${JSON.stringify(m.modulePath)}, m${i}]`).join(", ");
  return `${imports.join("\n")}\nexport const ${CODE_BUNDLE_MODULES} = [${list}];\n`;
}

/**
 * Fetches a code bundle once into the project's node_modules cache (so its package imports resolve there, as in
 * an image) and returns its path. `fetchBytes` reads it from the blob store that holds it (by default the store
 * its URI names).
 */
export async function ensureCodeBundle(
  uri: string,
  root: string,
  fetchBytes: () => Promise<Uint8Array | undefined> = () => blobIO(storeFor(uri)).read(uri),
): Promise<string> {
  const dir = join(root, "node_modules", ".cache", "aloft-code-bundles");
  const path = join(dir, `${createHash("sha256").update(uri).digest("hex").slice(0, 24)}.mjs`);
  if (!existsSync(path)) {
    const bytes = await fetchBytes();
    if (!bytes) throw new Error(`code bundle ${uri} not found in the blob store`);
    mkdirSync(dir, { recursive: true });
    // Written whole under a temporary name: a worker importing it meanwhile never sees half a module.
    const tmp = `${path}.${process.pid}.${threadId}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  }
  return path;
}

export interface LoadedCodeBundle {
  /** Module path → the module's exports. */
  modules: ReadonlyMap<string, Record<string, unknown>>;
  /** The bundle's own exports: what bundles built before the module map held (their one module's exports). */
  exports: Record<string, unknown>;
}

const bundles = new Map<string, Promise<LoadedCodeBundle>>();

async function load(uri: string, root: string): Promise<LoadedCodeBundle> {
  const file = await ensureCodeBundle(uri, root);
  recordCodeBundleFile(file);
  const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const list = exports[CODE_BUNDLE_MODULES];
  const modules = new Map<string, Record<string, unknown>>();
  if (Array.isArray(list)) {
    for (const [modulePath, ns] of list as [string, Record<string, unknown>][]) {
      modules.set(modulePath, ns);
      recordModuleLocations(modulePath, ns);
    }
  }
  return { modules, exports };
}

/** Imports a code bundle (once per URI) and records where each of its entities was defined. */
export function loadCodeBundle(uri: string, root: string): Promise<LoadedCodeBundle> {
  let p = bundles.get(uri);
  if (!p) {
    p = load(uri, root);
    p.catch(() => bundles.delete(uri));
    bundles.set(uri, p);
  }
  return p;
}
