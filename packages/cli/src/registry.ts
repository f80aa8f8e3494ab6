import type { Command } from "./command.ts";
import { run } from "./commands/run.ts";
import { start } from "./commands/start.ts";
import { get } from "./commands/get.ts";
import { launch } from "./commands/launch.ts";
import { terminate } from "./commands/terminate.ts";
import { relaunch, recover } from "./commands/relaunch.ts";
import { logs } from "./commands/logs.ts";
import { register } from "./commands/register.ts";

/** Every `aloft` subcommand, in the order `aloft --help` lists them. Add one line per command. */
export const commands: Command[] = [run, start, register, get, launch, terminate, relaunch, recover, logs];
