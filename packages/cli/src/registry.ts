import type { Command } from "./command.ts";
import { run } from "./commands/run.ts";
import { start } from "./commands/start.ts";

/** Every `aloft` subcommand, in the order `aloft --help` lists them. Add one line per command. */
export const commands: Command[] = [run, start];
