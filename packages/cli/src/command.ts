/** One `aloft` subcommand. Each lives in its own file under commands/ and is listed in registry.ts. */
export interface Command {
  name: string;
  /** Full usage text for `aloft <name> --help`. */
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[], io: CommandIO): Promise<number>;
}

export interface CommandIO {
  out: (text: string) => void;
  err: (text: string) => void;
  verbose: boolean;
}

/** An error the user caused (bad flag, unknown workflow, wrong input): printed without a stack trace. */
export class UsageError extends Error {
  readonly code = "USAGE";
}
