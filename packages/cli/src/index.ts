export { main } from "./main.ts";
export type { Command, CommandIO } from "./command.ts";
export { UsageError } from "./command.ts";
export { serverTaskPlugins, type ServerPluginOptions } from "./remote/server-plugins.ts";
