import type { Command } from "./command.ts";

/**
 * Every `aloft` subcommand, in the order `aloft --help` lists them, loaded only when asked for: a command's
 * module pulls in the packages it needs (the server, the SDK), and `aloft start` must not pay for the others.
 * Add one line per command.
 */
export const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./commands/run.ts")).run,
  start: async () => (await import("./commands/start.ts")).start,
  register: async () => (await import("./commands/register.ts")).register,
  get: async () => (await import("./commands/get.ts")).get,
  launch: async () => (await import("./commands/launch.ts")).launch,
  launchplan: async () => (await import("./commands/launchplan.ts")).launchplan,
  terminate: async () => (await import("./commands/terminate.ts")).terminate,
  relaunch: async () => (await import("./commands/relaunch.ts")).relaunch,
  recover: async () => (await import("./commands/relaunch.ts")).recover,
  logs: async () => (await import("./commands/logs.ts")).logs,
  cache: async () => (await import("./commands/cache.ts")).cache,
  codegen: async () => (await import("./commands/codegen.ts")).codegen,
};
