// Flyte `integer` (int64) as a JS number (`t.int()`, values beyond ±2^53 refused: they would lose digits) or as a
// bigint (`t.int64()`, the whole int64 range).
import { fromLiteral, types } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import { checked, converting, plainSchema } from "./plain.ts";
import type { Int } from "./number-types.ts";
import { describeValue, type Schema } from "./schema.ts";

function check(v: unknown): string | undefined {
  if (typeof v !== "number" || !Number.isInteger(v)) return `expected an integer, got ${describeValue(v)}`;
  if (!Number.isSafeInteger(v)) return `integer ${v} is beyond ±2^53 and cannot be represented exactly`;
  return undefined;
}

export const integerSchema = (): Schema<Int> => {
  const base = plainSchema<Int>({
    name: "int",
    literalType: types.integer,
    check,
    fromJson: (json, path) => checked(json, path, check),
    toJson: (v) => v,
    parse(text, path) {
      if (!/^[+-]?\d+$/.test(text.trim())) throw new TypeMismatchError(path, `expected an integer, got ${JSON.stringify(text)}`);
      return checked<Int>(Number(text), path, check);
    },
  });
  return {
    ...base,
    // A value reached through an attribute path into a struct arrives as a float (JSON has one number type, and
    // Flyte converts it so); an integral float is read as the integer it is.
    async fromLiteral(literal, ctx, path) {
      const sv = literal.value.case === "scalar" ? literal.value.value.value : undefined;
      const pv = sv?.case === "primitive" ? sv.value.value : undefined;
      if (pv?.case === "floatValue" && Number.isSafeInteger(pv.value)) return pv.value as Int;
      return base.fromLiteral(literal, ctx, path);
    },
  };
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function check64(v: unknown): string | undefined {
  if (typeof v !== "bigint") return `expected a bigint (t.int64()), got ${describeValue(v)}`;
  if (v < INT64_MIN || v > INT64_MAX) return `integer ${v} does not fit in int64`;
  return undefined;
}

/** The same Flyte integer as a bigint: every int64 exactly. JSON carries it as a string of digits beyond ±2^53. */
export const int64Schema = (): Schema<bigint> => {
  const base = plainSchema<bigint>({
    name: "int",
    literalType: types.integer,
    check: check64,
    fromJson(json, path) {
      if (typeof json === "bigint") return checked<bigint>(json, path, check64);
      if ((typeof json === "number" && Number.isSafeInteger(json)) || (typeof json === "string" && /^[+-]?\d+$/.test(json.trim()))) {
        return checked<bigint>(BigInt(typeof json === "string" ? json.trim() : json), path, check64);
      }
      throw new TypeMismatchError(path, `expected an integer, got ${describeValue(json)}`);
    },
    toJson: (v) => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()),
    parse(text, path) {
      if (!/^[+-]?\d+$/.test(text.trim())) throw new TypeMismatchError(path, `expected an integer, got ${JSON.stringify(text)}`);
      return checked<bigint>(BigInt(text.trim()), path, check64);
    },
  });
  return {
    ...base,
    async fromLiteral(literal, _ctx, path) {
      return converting(path, () => fromLiteral(literal, types.integer(), { int64: "bigint" }, path) as bigint);
    },
  };
};
