// The type a literal carries, as Flyte infers it (flytepropeller's validators.LiteralTypeForLiteral), so given
// inputs can be checked against declared types with the compiler's castability rules.
import { create, equals } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";

const simple = (s: core.SimpleType) => create(core.LiteralTypeSchema, { type: { case: "simple", value: s } });

function scalarType(s: core.Scalar): core.LiteralType | undefined {
  const v = s.value;
  switch (v.case) {
    case "primitive":
      switch (v.value.value.case) {
        case "integer":
          return simple(core.SimpleType.INTEGER);
        case "floatValue":
          return simple(core.SimpleType.FLOAT);
        case "stringValue":
          return simple(core.SimpleType.STRING);
        case "boolean":
          return simple(core.SimpleType.BOOLEAN);
        case "datetime":
          return simple(core.SimpleType.DATETIME);
        case "duration":
          return simple(core.SimpleType.DURATION);
        default:
          return undefined;
      }
    case "blob":
      return create(core.LiteralTypeSchema, { type: { case: "blob", value: v.value.metadata?.type ?? {} } });
    case "binary":
      return simple(core.SimpleType.BINARY);
    case "schema":
      return create(core.LiteralTypeSchema, { type: { case: "schema", value: v.value.type ?? {} } });
    case "noneType":
      return simple(core.SimpleType.NONE);
    case "error":
      return simple(core.SimpleType.ERROR);
    case "generic":
      return simple(core.SimpleType.STRUCT);
    case "structuredDataset":
      return create(core.LiteralTypeSchema, { type: { case: "structuredDatasetType", value: v.value.metadata?.structuredDatasetType ?? {} } });
    case "union":
      return v.value.type;
    default:
      return undefined;
  }
}

/** One type for a list of literals: the shared type, NONE for none, or a union of the distinct types. */
function commonType(literals: core.Literal[]): core.LiteralType | undefined {
  if (literals.length === 0) return simple(core.SimpleType.NONE);
  const distinct: core.LiteralType[] = [];
  for (const l of literals) {
    const t = literalTypeForLiteral(l);
    if (!t) return undefined;
    if (!distinct.some((d) => equals(core.LiteralTypeSchema, d, t))) distinct.push(t);
  }
  if (distinct.length === 1) return distinct[0];
  return create(core.LiteralTypeSchema, { type: { case: "unionType", value: { variants: distinct } } });
}

export function literalTypeForLiteral(l: core.Literal): core.LiteralType | undefined {
  switch (l.value.case) {
    case "scalar":
      return scalarType(l.value.value);
    case "collection": {
      const elem = commonType(l.value.value.literals);
      return elem && create(core.LiteralTypeSchema, { type: { case: "collectionType", value: elem } });
    }
    case "map": {
      const elem = commonType(Object.values(l.value.value.literals));
      return elem && create(core.LiteralTypeSchema, { type: { case: "mapValueType", value: elem } });
    }
    case "offloadedMetadata":
      return l.value.value.inferredType;
    default:
      return undefined;
  }
}
