#!/usr/bin/env node
// Entry of the `aloft` command. It runs the CLI compiled at install (dist/, see ../build.mjs) while every source
// file the build read is unchanged; otherwise (sources edited since, or ALOFT_FROM_SOURCE=1) it runs the TypeScript
// sources under tsx, saying nothing (`aloft --version` tells which). `npm run build` recompiles.
import { fileURLToPath } from "node:url";
import { compiledIsCurrent } from "./compiled.js";

let main;
if (compiledIsCurrent(fileURLToPath(new URL("..", import.meta.url)))) ({ main } = await import("../dist/main.js"));
else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
