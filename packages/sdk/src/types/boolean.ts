// Flyte `boolean`. The command line takes true/false only; "yes" or "1" are refused rather than guessed.
import { types } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import { checked, plainSchema } from "./plain.ts";
import { describeValue, type Schema } from "./schema.ts";

function check(v: unknown): string | undefined {
  return typeof v === "boolean" ? undefined : `expected a boolean, got ${describeValue(v)}`;
}

export const booleanSchema = (): Schema<boolean> =>
  plainSchema<boolean>({
    name: "bool",
    literalType: types.boolean,
    check,
    fromJson: (json, path) => checked(json, path, check),
    toJson: (v) => v,
    parse(text, path) {
      const s = text.trim().toLowerCase();
      if (s === "true") return true;
      if (s === "false") return false;
      throw new TypeMismatchError(path, `expected true or false, got ${JSON.stringify(text)}`);
    },
  });
