#!/usr/bin/env node
// Entry of `aloft-task`, the command in TypeScript task containers (see @aloft/sdk aloftTaskMain).
import { register } from "tsx/esm/api";

register();
const { aloftTaskMain } = await import("@aloft/sdk");
process.exitCode = await aloftTaskMain(process.argv.slice(2));
