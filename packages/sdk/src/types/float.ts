// Flyte `float` (double) as a JS number.
import { types } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import { checked, plainSchema } from "./plain.ts";
import type { Float } from "./number-types.ts";
import { describeValue, type Schema } from "./schema.ts";

function check(v: unknown): string | undefined {
  return typeof v === "number" ? undefined : `expected a float, got ${describeValue(v)}`;
}

export const floatSchema = (): Schema<Float> =>
  plainSchema<Float>({
    name: "float",
    literalType: types.float,
    check,
    fromJson: (json, path) => checked(json, path, check),
    toJson: (v) => v,
    parse(text, path) {
      const n = Number(text);
      if (text.trim() === "" || Number.isNaN(n)) throw new TypeMismatchError(path, `expected a float, got ${JSON.stringify(text)}`);
      return n;
    },
  });
