// Compiles the `aloft` command ahead of time: esbuild bundles the CLI and the @aloft/* packages it uses into dist/
// (split into chunks, so `aloft --help` loads only the entry and each command only what it imports). Third-party
// packages stay external and load from node_modules. Run at install (the root package's postinstall) and by
// `npm run build -w @aloft/cli`; bin/aloft.js uses dist/ only while dist/inputs.json says it is up to date.
//
// Usage: node packages/cli/build.mjs [--quiet]
import { build } from "esbuild";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const cli = dirname(fileURLToPath(import.meta.url));
const repo = resolve(cli, "../..");
const dist = join(cli, "dist");
const quiet = process.argv.includes("--quiet");

/**
 * The entries: the command, each @aloft/* package user code may import (so a workflow file's `@aloft/sdk` is the
 * bundle's own copy, see user-code-hooks.mjs), and the task runtime the server's worker threads import.
 */
const entryPoints = {
  main: join(cli, "src/main.ts"),
  "task-runtime": join(cli, "src/task-runtime.ts"),
  ...Object.fromEntries(
    ["idl", "compiler", "storage", "engine", "sdk", "server"].map((p) => [`aloft-${p}`, join(repo, "packages", p, "src/index.ts")]),
  ),
};

/**
 * Bundled besides @aloft/*: kysely, pure ES modules no user code shares objects with, whose ~300 files cost more to
 * load one by one than in the bundle. Other bare specifiers stay imports of node_modules.
 */
const bundled = /^(@aloft\/|kysely$)/;
const externals = {
  name: "externals",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (a) => (bundled.test(a.path) ? undefined : { path: a.path, external: true }));
  },
};

/**
 * `new URL("./worker.mjs", import.meta.url)` names a file beside the source module (a worker entry, a package.json);
 * in a chunk under dist/ it would name a file beside the chunk. Such URLs are rewritten to point from dist/ to the
 * source tree, so workers and data files load from where they are.
 */
const sourceRelativeUrls = {
  name: "source-relative-urls",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (a) => {
      const text = await readFile(a.path, "utf8");
      if (!text.includes("import.meta.url")) return undefined;
      const contents = text.replace(/new URL\(\s*(["'])([^"']+)\1\s*,\s*import\.meta\.url\s*\)/g, (_, _q, lit) => {
        const target = relative(dist, resolve(dirname(a.path), lit)).split("\\").join("/");
        return `new URL(${JSON.stringify(target)}, import.meta.url)`;
      });
      return { contents, loader: "ts" };
    });
  },
};

const started = performance.now();
const result = await build({
  entryPoints,
  outdir: dist,
  absWorkingDir: repo,
  write: false,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  entryNames: "[name]",
  chunkNames: "chunk-[hash]",
  // Keeps class and function names (error classes' `name`, stack traces) as in the sources.
  keepNames: true,
  sourcemap: "linked",
  metafile: true,
  logLevel: "warning",
  plugins: [externals, sourceRelativeUrls],
});
// What bin/aloft.js checks: every source file the bundle read, with its modification time, and the lock file for
// the packages bundled from node_modules.
const inputs = Object.keys(result.metafile.inputs)
  .map((p) => resolve(repo, p))
  .filter((p) => p.startsWith(repo + "/") && !p.includes("/node_modules/"))
  .concat(join(repo, "package-lock.json"));
const stamp = Object.fromEntries(inputs.map((p) => [relative(cli, p), statSync(p).mtimeMs]));

// Written in place, each file atomically, chunks (content-hashed names) before the entries that import them and
// inputs.json last: an `aloft` already running from dist/ (a server importing a command lazily) keeps finding the
// chunks it was built with, and one starting meanwhile sees a whole build, old or new.
await mkdir(dist, { recursive: true });
await rm(join(dist, "inputs.json"), { force: true });
const chunk = (p) => /\/chunk-[^/]+$/.test(p);
const files = [...result.outputFiles.filter((f) => chunk(f.path)), ...result.outputFiles.filter((f) => !chunk(f.path))];
const written = new Set();
for (const f of files) {
  await writeFile(`${f.path}.tmp-${process.pid}`, f.contents);
  await rename(`${f.path}.tmp-${process.pid}`, f.path);
  written.add(basename(f.path));
}
await writeFile(join(dist, `inputs.json.tmp-${process.pid}`), JSON.stringify({ node: process.version, inputs: stamp }));
await rename(join(dist, `inputs.json.tmp-${process.pid}`), join(dist, "inputs.json"));
// Chunks of earlier builds go once no running command can still be loading them.
const hour = 60 * 60 * 1000;
for (const name of await readdir(dist)) {
  if (written.has(name) || name === "inputs.json") continue;
  const path = join(dist, name);
  if (Date.now() - statSync(path).mtimeMs > hour) await rm(path, { force: true });
}
if (!quiet) console.error(`aloft: compiled the CLI into ${relative(repo, dist)} (${inputs.length} sources, ${Math.round(performance.now() - started)} ms)`);
