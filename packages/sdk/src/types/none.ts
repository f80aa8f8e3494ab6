// Flyte `none` (Void) as null. Mostly met as the second variant of an optional.
import { types } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import { plainSchema } from "./plain.ts";
import { describeValue, type Schema } from "./schema.ts";

function check(v: unknown): string | undefined {
  return v === null || v === undefined ? undefined : `expected null, got ${describeValue(v)}`;
}

export const noneSchema = (): Schema<null> =>
  plainSchema<null>({
    name: "none",
    literalType: types.none,
    check,
    fromJson(json, path) {
      if (json !== null) throw new TypeMismatchError(path, `expected null, got ${describeValue(json)}`);
      return null;
    },
    toJson: () => null,
    parse(text, path) {
      const s = text.trim().toLowerCase();
      if (s === "null" || s === "none") return null;
      throw new TypeMismatchError(path, `expected null, got ${JSON.stringify(text)}`);
    },
  });
