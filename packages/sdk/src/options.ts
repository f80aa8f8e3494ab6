// Options objects are checked for unknown keys where they are written: a misspelt `retires: 3` in plain JS (or
// through a cast) must be an error, not a silently ignored setting.
import { DefinitionError } from "./errors.ts";

export function checkOptionKeys(options: object | undefined, allowed: readonly string[], label: string): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null) throw new DefinitionError(`${label}: options must be an object`);
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw new DefinitionError(`${label}: unknown option "${k}" (known: ${allowed.join(", ")})`);
  }
}

export const TASK_COMMON_KEYS = ["name", "description", "cache", "retries", "timeout", "interruptible", "resources", "secrets", "environment", "image"] as const;
export const CALL_KEYS = ["name", "retries", "timeout", "interruptible", "resources", "image", "cache", "after"] as const;
