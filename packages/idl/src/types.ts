// Builders and a readable printer for flyteidl.core.LiteralType. The printer is what compiler errors
// and the SDK show to users, so it aims to read like a type signature rather than a protobuf dump.
import { create, type JsonObject } from "@bufbuild/protobuf";
import {
  BlobType_BlobDimensionality,
  BlobTypeSchema,
  EnumTypeSchema,
  LiteralTypeSchema,
  SchemaType_SchemaColumn_SchemaColumnType,
  SchemaType_SchemaColumnSchema,
  SchemaTypeSchema,
  SimpleType,
  StructuredDatasetType_DatasetColumnSchema,
  StructuredDatasetTypeSchema,
  TypeStructureSchema,
  UnionTypeSchema,
  type LiteralType,
} from "../gen/flyteidl_core.js";

export type BlobDimensionality = "single" | "multipart";
export type SchemaColumnKind = "integer" | "float" | "string" | "boolean" | "datetime" | "duration";

function simple(s: SimpleType): LiteralType {
  return create(LiteralTypeSchema, { type: { case: "simple", value: s } });
}

const schemaColumnKinds: Record<SchemaColumnKind, SchemaType_SchemaColumn_SchemaColumnType> = {
  integer: SchemaType_SchemaColumn_SchemaColumnType.INTEGER,
  float: SchemaType_SchemaColumn_SchemaColumnType.FLOAT,
  string: SchemaType_SchemaColumn_SchemaColumnType.STRING,
  boolean: SchemaType_SchemaColumn_SchemaColumnType.BOOLEAN,
  datetime: SchemaType_SchemaColumn_SchemaColumnType.DATETIME,
  duration: SchemaType_SchemaColumn_SchemaColumnType.DURATION,
};

/** Builders for every LiteralType shape FlyteIDL v1 defines. Each call returns a fresh message. */
export const types = {
  none: (): LiteralType => simple(SimpleType.NONE),
  integer: (): LiteralType => simple(SimpleType.INTEGER),
  float: (): LiteralType => simple(SimpleType.FLOAT),
  string: (): LiteralType => simple(SimpleType.STRING),
  boolean: (): LiteralType => simple(SimpleType.BOOLEAN),
  datetime: (): LiteralType => simple(SimpleType.DATETIME),
  duration: (): LiteralType => simple(SimpleType.DURATION),
  binary: (): LiteralType => simple(SimpleType.BINARY),
  error: (): LiteralType => simple(SimpleType.ERROR),
  /** A generic struct; `jsonSchema` goes into `metadata`, where Flyte keeps dataclass schemas. */
  struct(jsonSchema?: JsonObject): LiteralType {
    const t = simple(SimpleType.STRUCT);
    if (jsonSchema !== undefined) t.metadata = jsonSchema;
    return t;
  },
  list: (item: LiteralType): LiteralType =>
    create(LiteralTypeSchema, { type: { case: "collectionType", value: item } }),
  /** A map from string keys (the only key type Flyte has) to `value`. */
  map: (value: LiteralType): LiteralType =>
    create(LiteralTypeSchema, { type: { case: "mapValueType", value } }),
  union: (...variants: LiteralType[]): LiteralType =>
    create(LiteralTypeSchema, {
      type: { case: "unionType", value: create(UnionTypeSchema, { variants }) },
    }),
  /** `union<t, none>`, the shape flytekit gives `Optional[T]`. */
  optional: (t: LiteralType): LiteralType => types.union(t, simple(SimpleType.NONE)),
  blob(format = "", dimensionality: BlobDimensionality = "single"): LiteralType {
    const dim =
      dimensionality === "multipart" ? BlobType_BlobDimensionality.MULTIPART : BlobType_BlobDimensionality.SINGLE;
    return create(LiteralTypeSchema, {
      type: { case: "blob", value: create(BlobTypeSchema, { format, dimensionality: dim }) },
    });
  },
  /** A structured dataset; `columns` maps column names to their types, in order. */
  structuredDataset(format = "", columns: Record<string, LiteralType> = {}): LiteralType {
    const cols = Object.entries(columns).map(([name, literalType]) =>
      create(StructuredDatasetType_DatasetColumnSchema, { name, literalType }),
    );
    return create(LiteralTypeSchema, {
      type: { case: "structuredDatasetType", value: create(StructuredDatasetTypeSchema, { format, columns: cols }) },
    });
  },
  /** The legacy FlyteSchema type, kept because old tasks still declare it. */
  schema(columns: Record<string, SchemaColumnKind> = {}): LiteralType {
    const cols = Object.entries(columns).map(([name, kind]) =>
      create(SchemaType_SchemaColumnSchema, { name, type: schemaColumnKinds[kind] }),
    );
    return create(LiteralTypeSchema, { type: { case: "schema", value: create(SchemaTypeSchema, { columns: cols }) } });
  },
  enumOf: (values: readonly string[]): LiteralType =>
    create(LiteralTypeSchema, { type: { case: "enumType", value: create(EnumTypeSchema, { values: [...values] }) } }),
  /** Returns a copy of `t` carrying a structure tag (flytekit tags union variants so they can be told apart). */
  tagged(t: LiteralType, tag: string): LiteralType {
    return { ...t, structure: create(TypeStructureSchema, { tag }) };
  },
};

const simpleNames: Record<number, string> = {
  [SimpleType.NONE]: "none",
  [SimpleType.INTEGER]: "integer",
  [SimpleType.FLOAT]: "float",
  [SimpleType.STRING]: "string",
  [SimpleType.BOOLEAN]: "boolean",
  [SimpleType.DATETIME]: "datetime",
  [SimpleType.DURATION]: "duration",
  [SimpleType.BINARY]: "binary",
  [SimpleType.ERROR]: "error",
  [SimpleType.STRUCT]: "struct",
};

const columnNames: Record<number, SchemaColumnKind> = Object.fromEntries(
  Object.entries(schemaColumnKinds).map(([k, v]) => [v, k as SchemaColumnKind]),
);

/**
 * Prints a LiteralType as a short signature: `integer`, `list<string>`, `map<string, float>`,
 * `union<integer, none>`, `blob(csv, single)`, `enum{a,b}`, `structured_dataset(parquet)`.
 * Unknown or unset types print as `<unset>` / `<unknown N>` rather than throwing, because the printer is used
 * to describe bad input.
 */
export function formatLiteralType(t: LiteralType | undefined): string {
  if (t === undefined) return "<unset>";
  const ty = t.type;
  switch (ty.case) {
    case undefined:
      return "<unset>";
    case "simple": {
      const name = simpleNames[ty.value] ?? `<unknown simple ${ty.value}>`;
      if (ty.value === SimpleType.STRUCT && t.structure?.tag) return `struct(${t.structure.tag})`;
      return name;
    }
    case "collectionType":
      return `list<${formatLiteralType(ty.value)}>`;
    case "mapValueType":
      return `map<string, ${formatLiteralType(ty.value)}>`;
    case "unionType":
      return `union<${ty.value.variants.map(formatLiteralType).join(", ")}>`;
    case "blob": {
      const dim = ty.value.dimensionality === BlobType_BlobDimensionality.MULTIPART ? "multipart" : "single";
      return `blob(${ty.value.format || "*"}, ${dim})`;
    }
    case "enumType":
      return `enum{${ty.value.values.join(",")}}`;
    case "structuredDatasetType": {
      const cols = ty.value.columns.map((c) => `${c.name}: ${formatLiteralType(c.literalType)}`);
      const fmt = ty.value.format || "*";
      return cols.length ? `structured_dataset(${fmt}, {${cols.join(", ")}})` : `structured_dataset(${fmt})`;
    }
    case "schema": {
      const cols = ty.value.columns.map((c) => `${c.name}: ${columnNames[c.type] ?? `<unknown ${c.type}>`}`);
      return cols.length ? `schema{${cols.join(", ")}}` : "schema";
    }
    default: {
      const unknown: { case: string } = ty;
      return `<unknown ${unknown.case}>`;
    }
  }
}
