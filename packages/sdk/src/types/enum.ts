// Flyte `enum` as a string literal union. Values travel as string primitives, as flytekit sends Python enums.
import { types } from "@aloft/idl";
import { DefinitionError } from "../errors.ts";
import { checked, plainSchema } from "./plain.ts";
import { describeValue, type Schema } from "./schema.ts";

export function enumSchema<const V extends readonly string[]>(values: V): Schema<V[number]> {
  if (values.length === 0) throw new DefinitionError("t.enum needs at least one value");
  const dup = values.find((v, i) => values.indexOf(v) !== i);
  if (dup !== undefined) throw new DefinitionError(`t.enum value ${JSON.stringify(dup)} is listed twice`);
  const check = (v: unknown): string | undefined =>
    typeof v === "string" && values.includes(v) ? undefined : `expected one of [${values.join(", ")}], got ${describeValue(v)}`;
  return plainSchema<V[number]>({
    name: "enum",
    literalType: () => types.enumOf(values),
    check,
    fromJson: (json, path) => checked(json, path, check),
    toJson: (v) => v,
    parse: (text, path) => checked(text, path, check),
  });
}
