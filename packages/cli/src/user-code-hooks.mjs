// Module resolution hooks for user code under the compiled CLI (see user-code.ts): a workflow file's imports of
// @aloft/* packages get the compiled CLI's own copies, so the workflows, tasks and types it defines are the ones the
// CLI's SDK and engine know (module state such as the graph being recorded is shared). Plain JavaScript: it runs
// on Node's hooks thread, before any TypeScript loader.

/** @type {Record<string, string>} package name → URL of its compiled entry */
let packages = {};

export function initialize(data) {
  packages = data.packages;
}

export async function resolve(specifier, context, next) {
  const url = Object.hasOwn(packages, specifier) ? packages[specifier] : undefined;
  return url ? { url, format: "module", shortCircuit: true } : next(specifier, context);
}
