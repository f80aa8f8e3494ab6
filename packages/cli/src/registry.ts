import type { Command } from "./command.ts";

export interface CommandEntry {
  /** One line for `aloft --help`, here so the help loads no command. */
  summary: string;
  load: () => Promise<Command>;
}

/**
 * Every `aloft` subcommand, in the order `aloft --help` lists them, loaded only when asked for: a command's
 * module pulls in the packages it needs (the server, the SDK), and `aloft start` must not pay for the others.
 * Add one line per command.
 */
export const commands: Record<string, CommandEntry> = {
  run: { summary: "run a workflow from a TypeScript file, locally or (--remote) on a server", load: async () => (await import("./commands/run.ts")).run },
  start: { summary: "start the Aloft server (Flyte-compatible API, engine, scheduler) in one process", load: async () => (await import("./commands/start.ts")).start },
  register: { summary: "register a TypeScript project's tasks, workflows and launch plans on a server", load: async () => (await import("./commands/register.ts")).register },
  get: { summary: "list projects, tasks, workflows, launch plans, executions and node executions on a server", load: async () => (await import("./commands/get.ts")).get },
  launch: { summary: "launch a registered launch plan on a server (or backfill its schedule)", load: async () => (await import("./commands/launch.ts")).launch },
  launchplan: { summary: "activate or deactivate a launch plan (its schedule)", load: async () => (await import("./commands/launchplan.ts")).launchplan },
  terminate: { summary: "abort a running execution on a server", load: async () => (await import("./commands/terminate.ts")).terminate },
  relaunch: { summary: "run an execution again with the same inputs", load: async () => (await import("./commands/relaunch.ts")).relaunch },
  recover: { summary: "re-run an execution, reusing the outputs of nodes that succeeded", load: async () => (await import("./commands/relaunch.ts")).recover },
  logs: { summary: "show an execution's nodes, task attempts, their output (stdout, stderr) and errors", load: async () => (await import("./commands/logs.ts")).logs },
  cache: { summary: "explain a task node's cache hit or miss on a server, or evict its entry", load: async () => (await import("./commands/cache.ts")).cache },
  codegen: { summary: "write a typed TypeScript reference declaration for a registered task, workflow or launch plan", load: async () => (await import("./commands/codegen.ts")).codegen },
  auth: { summary: "API keys, role grants and the current credential on a server with authentication on", load: async () => (await import("./commands/auth.ts")).auth },
  audit: { summary: "the server's audit log of writes: who, when, what and the outcome", load: async () => (await import("./commands/audit.ts")).audit },
};
