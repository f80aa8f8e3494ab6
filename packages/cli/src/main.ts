import { commands } from "./registry.ts";
import { UsageError, type CommandIO } from "./command.ts";

async function help(): Promise<string> {
  const all = await Promise.all(Object.values(commands).map((load) => load()));
  const width = Math.max(0, ...all.map((c) => c.name.length));
  const lines = all.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    "aloft: a Flyte-compatible workflow orchestrator",
    "",
    "Usage: aloft <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Global options:",
    "  --verbose   print stack traces for errors",
    "  --help      show help for aloft or a command",
    "  --version   print aloft's version",
  ].join("\n");
}

/** A ConnectError's message without its status prefix (connect is not imported here: --help stays fast). */
const rawMessage = (e: unknown): string => (e as { rawMessage?: string }).rawMessage ?? "";

/** The CLI package's version (its package.json). */
async function version(): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes("--verbose");
  const args = argv.filter((a) => a !== "--verbose");
  const io: CommandIO = {
    out: (t) => process.stdout.write(t.endsWith("\n") ? t : t + "\n"),
    err: (t) => process.stderr.write(t.endsWith("\n") ? t : t + "\n"),
    verbose,
  };
  const [name, ...rest] = args;
  if (name === "--version" || name === "-v" || name === "version") {
    io.out(`aloft ${await version()}`);
    return 0;
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.out(await help());
    return name ? 0 : 1;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    io.err(`aloft: unknown command "${name}"\n\n${await help()}`);
    return 2;
  }
  const command = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    const err = e as Error;
    if (verbose) io.err(err.stack ?? String(err));
    // A server that cannot be reached says so in its own words, without the RPC status prefix.
    else if (/^cannot reach an Aloft server/.test(rawMessage(err))) io.err(`aloft ${name}: ${rawMessage(err)}`);
    else io.err(`aloft ${name}: ${err instanceof UsageError ? "" : "error: "}${err.message}`);
    return err instanceof UsageError ? 2 : 1;
  }
}
