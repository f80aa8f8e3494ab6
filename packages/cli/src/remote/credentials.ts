// The credential remote commands send to a server with authentication on: an API key (or an access token) from
// ALOFT_API_KEY, or read from the file ALOFT_API_KEY_FILE names (for example the `admin-key` file `aloft start
// --auth` writes into its data directory). Nothing is sent when neither is set.
import { readFileSync, statSync } from "node:fs";
import { UsageError } from "../command.ts";

export function credential(env: Record<string, string | undefined> = process.env): string | undefined {
  const direct = env.ALOFT_API_KEY?.trim();
  if (direct) return direct;
  const file = env.ALOFT_API_KEY_FILE;
  if (!file) return undefined;
  let text: string;
  try {
    // A key others can read is as good as leaked: refuse it, as ssh does.
    if ((statSync(file).mode & 0o077) !== 0) throw new UsageError(`ALOFT_API_KEY_FILE ${file} is readable by others; chmod 600 it`);
    text = readFileSync(file, "utf8").trim();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`ALOFT_API_KEY_FILE ${file}: ${(e as Error).message}`);
  }
  if (text === "") throw new UsageError(`ALOFT_API_KEY_FILE ${file} is empty`);
  return text;
}

/** `authorization` for fetch-based clients; empty without a credential. */
export function authHeaders(env: Record<string, string | undefined> = process.env): Record<string, string> {
  const c = credential(env);
  return c ? { authorization: `Bearer ${c}` } : {};
}
