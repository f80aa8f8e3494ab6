// The type registry: finds the transformer for a LiteralType that arrives without a declared schema (a reference
// task's interface, a fetched execution's outputs, the CLI reading inputs for a remote workflow), and holds the
// transformers users register for their own types.
import { core, formatLiteralType, types } from "@aloft/idl";
import { DefinitionError, TypeMismatchError } from "../errors.ts";
import { binarySchema } from "./binary.ts";
import { booleanSchema } from "./boolean.ts";
import { datetimeSchema } from "./datetime.ts";
import { directorySchema } from "./directory.ts";
import { durationSchema } from "./duration.ts";
import { enumSchema } from "./enum.ts";
import { fileSchema } from "./file.ts";
import { floatSchema } from "./float.ts";
import { integerSchema } from "./integer.ts";
import { listSchema } from "./list.ts";
import { mapSchema } from "./map.ts";
import { noneSchema } from "./none.ts";
import { plainSchema } from "./plain.ts";
import type { Schema } from "./schema.ts";
import { stringSchema } from "./string.ts";
import { structuredDatasetSchema } from "./structured-dataset.ts";
import { unionSchema } from "./union.ts";
import { describeValue, isPlainObject, parseJsonText } from "./schema.ts";

/** A user transformer: a Schema plus the rule for recognising its LiteralType. */
export interface CustomType<T> extends Schema<T> {
  /** True when `t` was written by this transformer (by default: its structure tag equals the name). */
  matches(t: core.LiteralType): boolean;
}

const custom = new Map<string, CustomType<unknown>>();

/**
 * Registers a transformer for a user type, e.g. a `Point` class stored as a struct. Its LiteralType is tagged with
 * `name` so that `schemaFor` recognises it again.
 */
export function registerType<T>(schema: Schema<T> & { matches?: (t: core.LiteralType) => boolean }): CustomType<T> {
  if (custom.has(schema.name)) throw new DefinitionError(`a type named "${schema.name}" is already registered`);
  const lt = () => {
    const t = schema.literalType();
    return t.structure?.tag ? t : types.tagged(t, schema.name);
  };
  const entry: CustomType<T> = {
    ...schema,
    literalType: lt,
    matches: schema.matches ?? ((t) => t.structure?.tag === schema.name),
  };
  custom.set(schema.name, entry as CustomType<unknown>);
  return entry;
}

/** Forgets a registered type (tests register and unregister their own). */
export function unregisterType(name: string): void {
  custom.delete(name);
}

const S = core.SimpleType;

/** A schema for any LiteralType: a registered custom type when one claims it, else the built-in transformer. */
export function schemaFor(t: core.LiteralType): Schema<unknown> {
  for (const c of custom.values()) if (c.matches(t)) return c;
  const ty = t.type;
  switch (ty.case) {
    case "simple":
      switch (ty.value) {
        case S.INTEGER: return integerSchema();
        case S.FLOAT: return floatSchema();
        case S.STRING: return stringSchema();
        case S.BOOLEAN: return booleanSchema();
        case S.DATETIME: return datetimeSchema();
        case S.DURATION: return durationSchema();
        case S.BINARY: return binarySchema();
        case S.NONE: return noneSchema();
        case S.STRUCT: return genericStructSchema(t);
        default: throw new TypeMismatchError("", `no transformer for ${formatLiteralType(t)}`);
      }
    case "collectionType": return listSchema(schemaFor(ty.value));
    case "mapValueType": return mapSchema(schemaFor(ty.value));
    case "enumType": return enumSchema(ty.value.values);
    case "unionType": {
      const variants = ty.value.variants.map(schemaFor);
      if (variants.length < 2) throw new TypeMismatchError("", `union with ${variants.length} variant(s) is not supported`);
      return unionSchema(...variants);
    }
    case "blob":
      return ty.value.dimensionality === core.BlobType_BlobDimensionality.MULTIPART ? directorySchema(ty.value.format) : fileSchema(ty.value.format);
    case "structuredDatasetType": {
      const { format, columns } = ty.value;
      if (format !== "" && format !== "parquet") throw new TypeMismatchError("", `structured dataset format "${format}" is not supported (only parquet)`);
      return structuredDatasetSchema({ format, columns: Object.fromEntries(columns.map((c) => [c.name, schemaFor(c.literalType!)])) });
    }
    default:
      throw new TypeMismatchError("", `no transformer for ${formatLiteralType(t)}`);
  }
}

/** A struct known only by its LiteralType: a plain JSON object, keeping the JSON schema the type carries. */
function genericStructSchema(t: core.LiteralType): Schema<unknown> {
  const check = (v: unknown) => (isPlainObject(v) ? undefined : `expected an object, got ${describeValue(v)}`);
  return plainSchema<unknown>({
    name: "struct",
    literalType: () => t,
    check,
    fromJson(json, path) {
      const why = check(json);
      if (why !== undefined) throw new TypeMismatchError(path, why);
      return json;
    },
    toJson: (v) => v,
    parse: (text, path) => parseJsonText(text, path, "an object"),
  });
}
