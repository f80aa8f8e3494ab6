// Flyte `integer` (int64) as a JS number. Values beyond ±2^53 would silently lose digits, so they are refused.
import { types } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import { checked, plainSchema } from "./plain.ts";
import { describeValue, type Schema } from "./schema.ts";

function check(v: unknown): string | undefined {
  if (typeof v !== "number" || !Number.isInteger(v)) return `expected an integer, got ${describeValue(v)}`;
  if (!Number.isSafeInteger(v)) return `integer ${v} is beyond ±2^53 and cannot be represented exactly`;
  return undefined;
}

export const integerSchema = (): Schema<number> => {
  const base = plainSchema<number>({
    name: "int",
    literalType: types.integer,
    check,
    fromJson: (json, path) => checked(json, path, check),
    toJson: (v) => v,
    parse(text, path) {
      if (!/^[+-]?\d+$/.test(text.trim())) throw new TypeMismatchError(path, `expected an integer, got ${JSON.stringify(text)}`);
      return checked(Number(text), path, check);
    },
  });
  return {
    ...base,
    // A value reached through an attribute path into a struct arrives as a float (JSON has one number type, and
    // Flyte converts it so); an integral float is read as the integer it is.
    async fromLiteral(literal, ctx, path) {
      const sv = literal.value.case === "scalar" ? literal.value.value.value : undefined;
      const pv = sv?.case === "primitive" ? sv.value.value : undefined;
      if (pv?.case === "floatValue" && Number.isSafeInteger(pv.value)) return pv.value;
      return base.fromLiteral(literal, ctx, path);
    },
  };
};
