// Flyte `string`. On the command line the raw text is the value (no JSON quoting needed).
import { types } from "@aloft/idl";
import { checked, plainSchema } from "./plain.ts";
import { describeValue, type Schema } from "./schema.ts";

function check(v: unknown): string | undefined {
  return typeof v === "string" ? undefined : `expected a string, got ${describeValue(v)}`;
}

export const stringSchema = (): Schema<string> =>
  plainSchema<string>({
    name: "str",
    literalType: types.string,
    check,
    fromJson: (json, path) => checked(json, path, check),
    toJson: (v) => v,
    parse: (text) => text,
  });
