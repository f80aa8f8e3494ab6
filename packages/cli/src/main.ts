import { commands } from "./registry.ts";
import { UsageError, type CommandIO } from "./command.ts";
import { compiled } from "./user-code.ts";

function help(): string {
  const width = Math.max(0, ...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
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
    // Which code runs: the build made at install, or the sources (edited since, or ALOFT_FROM_SOURCE=1).
    io.out(`aloft ${await version()} (${compiled ? "compiled" : "from sources; `npm run build` compiles them"})`);
    return 0;
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.out(help());
    return name ? 0 : 1;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!entry) {
    io.err(`aloft: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  const command = await entry.load();
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
