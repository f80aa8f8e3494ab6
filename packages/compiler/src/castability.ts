// Whether a value of one LiteralType may flow into a slot of another: Flyte's castability rules
// (flytepropeller/pkg/compiler/validators/typing.go). The downstream type picks the checker.
import { core } from "@aloft/idl";
import { isSubschema, jsonEqual } from "./json-schema.ts";

type LT = core.LiteralType;
const EMPTY: LT = Object.freeze({ $typeName: "flyteidl.core.LiteralType", type: { case: undefined } }) as LT;
const { SimpleType } = core;

export function isNoneType(t: LT | undefined): boolean {
  return t?.type.case === "simple" && t.type.value === SimpleType.NONE;
}

function simpleOf(t: LT): core.SimpleType | undefined {
  return t.type.case === "simple" ? t.type.value : undefined;
}

/**
 * The oneof `type` of two LiteralTypes is equal; metadata, annotation and structure are ignored. Only reached for
 * downstream simple, enum or unset types: every other downstream kind has its own checker.
 */
function sameUnderlyingType(a: LT, b: LT): boolean {
  if (a.type.case === undefined || b.type.case === undefined) return a.type.case === b.type.case;
  if (a.type.case === "simple" && b.type.case === "simple") return a.type.value === b.type.value;
  if (a.type.case === "enumType" && b.type.case === "enumType") {
    const x = a.type.value.values;
    const y = b.type.value.values;
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  return false;
}

function tagOf(t: LT): string {
  return t.structure?.tag ?? "";
}

function trivialCastsFrom(down: LT, up: LT): boolean {
  // Enums are constrained strings: either direction with a string is allowed.
  if (up.type.case === "enumType" && simpleOf(down) === SimpleType.STRING) return true;
  if (down.type.case === "enumType" && simpleOf(up) === SimpleType.STRING) return true;
  if (tagOf(up) !== "" && tagOf(down) !== tagOf(up)) return false;
  if (simpleOf(up) === SimpleType.STRUCT && simpleOf(down) === SimpleType.STRUCT) {
    // Old flytekit versions omitted the JSON schema; without both schemas there is nothing to compare.
    if (up.metadata === undefined || down.metadata === undefined) return true;
    return jsonEqual(up.metadata, down.metadata) || isSubschema(up.metadata, down.metadata);
  }
  return sameUnderlyingType(up, down);
}

function collectionCastsFrom(down: LT, up: LT): boolean {
  if (up.type.case !== "collectionType") return false;
  // An empty collection literal has element type none and fits any collection.
  if (isNoneType(up.type.value)) return true;
  return castsFrom(down.type.value as LT, up.type.value);
}

function mapCastsFrom(down: LT, up: LT): boolean {
  if (up.type.case !== "mapValueType") return false;
  if (isNoneType(up.type.value)) return true;
  return castsFrom(down.type.value as LT, up.type.value);
}

function blobCastsFrom(down: core.BlobType, up: LT): boolean {
  if (up.type.case !== "blob") return false;
  // A blob without a format is generic and matches any blob; dimensionality is not compared (as in Flyte).
  if (up.type.value.format === "" || down.format === "") return true;
  return up.type.value.format === down.format;
}

const columnKindToSimple: Record<number, core.SimpleType> = {
  [core.SchemaType_SchemaColumn_SchemaColumnType.INTEGER]: SimpleType.INTEGER,
  [core.SchemaType_SchemaColumn_SchemaColumnType.FLOAT]: SimpleType.FLOAT,
  [core.SchemaType_SchemaColumn_SchemaColumnType.STRING]: SimpleType.STRING,
  [core.SchemaType_SchemaColumn_SchemaColumnType.BOOLEAN]: SimpleType.BOOLEAN,
  [core.SchemaType_SchemaColumn_SchemaColumnType.DATETIME]: SimpleType.DATETIME,
  [core.SchemaType_SchemaColumn_SchemaColumnType.DURATION]: SimpleType.DURATION,
};

function columnMatches(kind: core.SchemaType_SchemaColumn_SchemaColumnType, simple: core.SimpleType | undefined): boolean {
  const want = columnKindToSimple[kind];
  return want !== undefined && want === simple;
}

/** Downstream columns must be a subset of upstream ones, each matching; no columns on either side means generic. */
function subsetColumns<U, D>(
  up: readonly U[],
  down: readonly D[],
  upName: (u: U) => string,
  downName: (d: D) => string,
  match: (u: U, d: D) => boolean,
): boolean {
  if (up.length === 0 || down.length === 0) return true;
  const byName = new Map<string, U>();
  for (const u of up) byName.set(upName(u), u);
  for (const d of down) {
    const u = byName.get(downName(d));
    if (u === undefined || !match(u, d)) return false;
  }
  return true;
}

const sdColName = (c: core.StructuredDatasetType_DatasetColumn) => c.name;
const schemaColName = (c: core.SchemaType_SchemaColumn) => c.name;

function schemaCastsFrom(down: core.SchemaType, up: LT): boolean {
  if (up.type.case === "schema") {
    return subsetColumns(up.type.value.columns, down.columns, schemaColName, schemaColName, (u, d) => u.type === d.type);
  }
  if (up.type.case !== "structuredDatasetType") return false;
  const sd = up.type.value;
  // A FlyteSchema is always parquet underneath.
  if (sd.format !== "" && sd.format.toLowerCase() !== "parquet") return false;
  return subsetColumns(sd.columns, down.columns, sdColName, schemaColName, (u, d) =>
    columnMatches(d.type, simpleOf(u.literalType ?? EMPTY)),
  );
}

function structuredDatasetCastsFrom(down: core.StructuredDatasetType, up: LT): boolean {
  // Structured datasets are nullable.
  if (isNoneType(up)) return true;
  if (up.type.case === "schema") {
    if (down.format !== "" && down.format.toLowerCase() !== "parquet") return false;
    return subsetColumns(up.type.value.columns, down.columns, schemaColName, sdColName, (u, d) =>
      columnMatches(u.type, simpleOf(d.literalType ?? EMPTY)),
    );
  }
  if (up.type.case !== "structuredDatasetType") return false;
  const sd = up.type.value;
  if (sd.format !== "" && down.format !== "" && sd.format.toLowerCase() !== down.format.toLowerCase()) return false;
  return subsetColumns(sd.columns, down.columns, sdColName, sdColName, (u, d) =>
    castsFrom(d.literalType ?? EMPTY, u.literalType ?? EMPTY),
  );
}

function unionCastsFrom(down: core.UnionType, up: LT): boolean {
  if (up.type.case === "unionType") {
    // Every upstream variant needs some downstream variant that accepts it.
    return up.type.value.variants.every((u) => down.variants.some((d) => areTypesCastable(u, d)));
  }
  // A plain value must select exactly one variant, or the choice would be ambiguous.
  let found = false;
  for (const d of down.variants) {
    if (areTypesCastable(up, d)) {
      if (found) return false;
      found = true;
    }
  }
  return found;
}

function castsFrom(down: LT, up: LT): boolean {
  switch (down.type.case) {
    case "collectionType":
      return collectionCastsFrom(down, up);
    case "mapValueType":
      return mapCastsFrom(down, up);
    case "blob":
      return blobCastsFrom(down.type.value, up);
    case "schema":
      return schemaCastsFrom(down.type.value, up);
    case "unionType":
      return unionCastsFrom(down.type.value, up);
    case "structuredDatasetType":
      return structuredDatasetCastsFrom(down.type.value, up);
    default:
      if (isNoneType(down)) return isNoneType(up);
      return trivialCastsFrom(down, up);
  }
}

/** True when a value of `upstream` type may be bound to an input of `downstream` type. */
export function areTypesCastable(upstream: LT | undefined, downstream: LT | undefined): boolean {
  const up = upstream ?? EMPTY;
  const down = downstream ?? EMPTY;
  // A union with a single variant is as good as that variant.
  if (up.type.case === "unionType" && up.type.value.variants.length === 1) {
    if (castsFrom(down, up.type.value.variants[0] ?? EMPTY)) return true;
  }
  return castsFrom(down, up);
}
