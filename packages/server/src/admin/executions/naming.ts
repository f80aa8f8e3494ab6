// Execution names chosen by the server when a request names none: 20 characters, a leading "a" and 19 drawn from
// the vowel-free alphabet flyteadmin uses (so names never spell words), as flyteadmin generates them.
import { randomInt } from "node:crypto";
import { InvalidArgumentError } from "../../errors.ts";

const alphabet = "bcdfghjklmnpqrstvwxz2456789";

export function randomExecutionName(): string {
  let s = "a";
  for (let i = 0; i < 19; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

const validName = /^[a-z][a-z\-0-9]*$/;

export function validateExecutionName(name: string, field = "name"): void {
  if (name.length > 63) throw new InvalidArgumentError(`${field} must be at most 63 characters, got ${name.length}`);
  if (!validName.test(name.toLowerCase())) throw new InvalidArgumentError(`invalid ${field} ${JSON.stringify(name)}: must match ^[a-z][a-z\\-0-9]*$`);
}
