// Flyte `struct`: a typed object stored as a generic google.protobuf.Struct, with a JSON schema derived from the
// declared fields in LiteralType.metadata — the shape flytekit gives dataclasses and pydantic models. Fields go
// through their own schemas' JSON form, so a Date field is an ISO string on the wire and a Date again in code.
import { core, fromLiteral, lit, types } from "@aloft/idl";
import { converting } from "./plain.ts";
import { create, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { DefinitionError, TypeMismatchError } from "../errors.ts";
import { describeValue, isPlainObject, parseJsonText, type Infer, type Schema, type SchemaMap } from "./schema.ts";

/** Field types that cannot live inside a JSON struct (their data sits in blobs). */
const nonJson = new Set(["FlyteFile", "FlyteDirectory", "StructuredDataset", "bytes"]);

export interface StructOptions {
  /** Title of the JSON schema (flytekit writes the dataclass name). */
  name?: string;
}

type StructValue<F extends SchemaMap> = { [K in keyof F as null extends Infer<F[K]> ? never : K]: Infer<F[K]> } & {
  [K in keyof F as null extends Infer<F[K]> ? K : never]?: Infer<F[K]>;
};

/** JSON schema (draft 2020-12 subset) for a declared LiteralType. */
export function jsonSchemaOf(t: core.LiteralType): JsonObject {
  switch (t.type.case) {
    case "simple": {
      if (t.type.value === core.SimpleType.STRUCT) return (t.metadata as JsonObject | undefined) ?? { type: "object" };
      const simple: Record<number, JsonObject> = {
        [core.SimpleType.INTEGER]: { type: "integer" },
        [core.SimpleType.FLOAT]: { type: "number" },
        [core.SimpleType.STRING]: { type: "string" },
        [core.SimpleType.BOOLEAN]: { type: "boolean" },
        [core.SimpleType.DATETIME]: { type: "string", format: "date-time" },
        [core.SimpleType.DURATION]: { type: "number", description: "milliseconds" },
        [core.SimpleType.NONE]: { type: "null" },
      };
      return simple[t.type.value] ?? {};
    }
    case "enumType":
      return { type: "string", enum: [...t.type.value.values] };
    case "collectionType":
      return { type: "array", items: jsonSchemaOf(t.type.value) };
    case "mapValueType":
      return { type: "object", additionalProperties: jsonSchemaOf(t.type.value) };
    case "unionType":
      return { anyOf: t.type.value.variants.map(jsonSchemaOf) };
    default:
      return {};
  }
}

export function structSchema<F extends SchemaMap>(fields: F, options: StructOptions = {}): Schema<StructValue<F>> & { jsonSchema(): JsonObject; fields: F } {
  for (const [k, s] of Object.entries(fields)) {
    if (nonJson.has(s.name)) throw new DefinitionError(`t.struct field "${k}": ${s.name} cannot be stored inside a struct; make it a separate input or output`);
  }
  const entries = Object.entries(fields) as [string, Schema<unknown>][];
  const optional = (s: Schema<unknown>) => s.check(null, "") === undefined;
  const jsonSchema = (): JsonObject => ({
    ...(options.name ? { title: options.name } : {}),
    type: "object",
    properties: Object.fromEntries(entries.map(([k, s]) => [k, jsonSchemaOf(s.literalType())])),
    required: entries.filter(([, s]) => !optional(s)).map(([k]) => k),
    additionalProperties: false,
  });
  const check = (v: unknown, path: string): string | undefined => {
    if (!isPlainObject(v)) return `expected an object, got ${describeValue(v)}`;
    for (const k of Object.keys(v)) if (!(k in fields)) return `unknown field "${k}" (fields: ${Object.keys(fields).join(", ")})`;
    for (const [k, s] of entries) {
      if (!(k in v) && !optional(s)) return `missing field "${k}"`;
      const why = s.check(v[k] ?? null, `${path}.${k}`);
      if (why !== undefined) return `.${k}: ${why}`;
    }
    return undefined;
  };
  const fromJson = (json: unknown, path: string): StructValue<F> => {
    if (!isPlainObject(json)) throw new TypeMismatchError(path, `expected a JSON object, got ${describeValue(json)}`);
    for (const k of Object.keys(json)) if (!(k in fields)) throw new TypeMismatchError(path, `unknown field "${k}" (fields: ${Object.keys(fields).join(", ")})`);
    const out: Record<string, unknown> = {};
    for (const [k, s] of entries) {
      if (!(k in json) && !optional(s)) throw new TypeMismatchError(path, `missing field "${k}"`);
      out[k] = s.fromJson(json[k] ?? null, `${path}.${k}`);
    }
    return out as StructValue<F>;
  };
  const toJson = (value: StructValue<F>): JsonObject => {
    const v = value as Record<string, unknown>;
    return Object.fromEntries(entries.map(([k, s]) => [k, s.toJson(v[k] ?? null) as JsonValue]));
  };
  return {
    name: options.name ?? "struct",
    fields,
    // Field types go in structure.dataclass_type, as flytekit writes them: the compiler types attribute access
    // (`summary.get("revenue")`) from there.
    literalType: () => ({
      ...types.struct(jsonSchema()),
      structure: create(core.TypeStructureSchema, { tag: "", dataclassType: Object.fromEntries(entries.map(([k, s]) => [k, s.literalType()])) }),
    }),
    jsonSchema,
    check,
    async toLiteral(value, _ctx, path) {
      const why = check(value, path);
      if (why !== undefined) throw new TypeMismatchError(path, why);
      return lit.struct(toJson(value));
    },
    async fromLiteral(literal, _ctx, path) {
      // The shared conversion reads both a generic Struct and flytekit's msgpack-encoded dataclasses.
      return fromJson(converting(path, () => fromLiteral(literal, types.struct(), {}, path)), path);
    },
    fromJson,
    toJson,
    parse: (text, path) => fromJson(parseJsonText(text, path, "an object"), path),
  };
}
