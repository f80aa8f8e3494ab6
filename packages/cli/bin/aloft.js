#!/usr/bin/env node
// Entry of the `aloft` command. Aloft's packages are TypeScript sources; tsx loads them.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv.slice(2));
