// Flyte `datetime` (google.protobuf.Timestamp) as a JS Date; JSON and the command line use ISO-8601 text.
import { types } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import { plainSchema } from "./plain.ts";
import { describeValue, type Schema } from "./schema.ts";

function check(v: unknown): string | undefined {
  if (!(v instanceof Date)) return `expected a Date, got ${describeValue(v)}`;
  return Number.isNaN(v.getTime()) ? "the Date is invalid" : undefined;
}

function fromText(text: unknown, path: string): Date {
  // Only ISO-8601 is accepted: Date.parse also takes locale formats whose meaning depends on the machine.
  if (typeof text !== "string" || !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    throw new TypeMismatchError(path, `expected an ISO-8601 datetime such as 2024-01-31T12:00:00Z, got ${describeValue(text)}`);
  }
  const d = new Date(text.trim());
  if (Number.isNaN(d.getTime())) throw new TypeMismatchError(path, `invalid datetime ${JSON.stringify(text)}`);
  return d;
}

export const datetimeSchema = (): Schema<Date> =>
  plainSchema<Date>({
    name: "datetime",
    literalType: types.datetime,
    check,
    fromJson: fromText,
    toJson: (v) => v.toISOString(),
    parse: fromText,
  });
