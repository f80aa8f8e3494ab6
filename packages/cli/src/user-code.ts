// Loading user code (workflow files, code bundles) when the CLI runs compiled (dist/, see build.mjs). The sources
// run under tsx, which bin/aloft.js registers for them; compiled, nothing is registered until a command imports
// user code, so `aloft --help` and the remote commands never pay for a TypeScript loader.
import { register } from "node:module";

/** True when this module runs from the compiled bundle rather than its TypeScript source. */
export const compiled = !import.meta.url.endsWith(".ts");

const PACKAGES = ["idl", "compiler", "storage", "engine", "sdk", "server"];
let enabled = false;

/**
 * Makes user TypeScript importable, its @aloft/* imports resolving to this bundle's packages. Call before loading a
 * user module; a no-op from sources (tsx is registered, and @aloft/* resolve to the same sources anyway).
 */
export async function enableUserCode(): Promise<void> {
  if (enabled || !compiled) return;
  enabled = true;
  const tsx = await import("tsx/esm/api");
  tsx.register();
  resolveAloftToBundle();
}

/** Registers user-code-hooks.mjs; after tsx, so it answers first for @aloft/* and passes everything else on. */
export function resolveAloftToBundle(): void {
  // Template literals: build.mjs rewrites `new URL("<literal>", import.meta.url)` to point into the sources; these
  // name the bundle's own entries, beside this chunk.
  const packages = Object.fromEntries(PACKAGES.map((p) => [`@aloft/${p}`, new URL(`./aloft-${p}.js`, import.meta.url).href]));
  register(new URL("./user-code-hooks.mjs", import.meta.url), { data: { packages } });
}

/** The module a TypeScript task worker imports when compiled (dist/task-runtime.js, see task-runtime.ts). */
export const compiledTaskRuntimeUrl = (): string => new URL(`./task-runtime.js`, import.meta.url).href;
