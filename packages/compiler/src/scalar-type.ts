// The LiteralType a bound scalar value has, used to type-check constants in bindings and conditions
// (Flyte's literalTypeForScalar / literalTypeForPrimitive).
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";

const { SimpleType } = core;

function simple(s: core.SimpleType): core.LiteralType {
  return create(core.LiteralTypeSchema, { type: { case: "simple", value: s } });
}

/**
 * A value whose kind is known but whose type message is missing (a blob, schema or dataset without its type).
 * Flyte's checkers find no type there and reject it, which an unset LiteralType reproduces.
 */
function typeless(): core.LiteralType {
  return create(core.LiteralTypeSchema);
}

export function literalTypeForPrimitive(p: core.Primitive): core.LiteralType {
  switch (p.value.case) {
    case "integer":
      return simple(SimpleType.INTEGER);
    case "floatValue":
      return simple(SimpleType.FLOAT);
    case "stringValue":
      return simple(SimpleType.STRING);
    case "boolean":
      return simple(SimpleType.BOOLEAN);
    case "datetime":
      return simple(SimpleType.DATETIME);
    case "duration":
      return simple(SimpleType.DURATION);
    default:
      return simple(SimpleType.NONE);
  }
}

/** The scalar's type, or undefined when it cannot be told (no value, or a blob without metadata). */
export function literalTypeForScalar(s: core.Scalar): core.LiteralType | undefined {
  const v = s.value;
  switch (v.case) {
    case "primitive":
      return literalTypeForPrimitive(v.value);
    case "blob":
      if (v.value.metadata === undefined) return undefined;
      if (v.value.metadata.type === undefined) return typeless();
      return create(core.LiteralTypeSchema, { type: { case: "blob", value: v.value.metadata.type } });
    case "binary":
      // msgpack-tagged binaries carry dataclasses, dicts and Pydantic models: they are structs.
      return simple(v.value.tag === "msgpack" ? SimpleType.STRUCT : SimpleType.BINARY);
    case "schema":
      if (v.value.type === undefined) return typeless();
      return create(core.LiteralTypeSchema, { type: { case: "schema", value: v.value.type } });
    case "structuredDataset": {
      const sd = v.value.metadata?.structuredDatasetType;
      if (sd === undefined) return typeless();
      return create(core.LiteralTypeSchema, { type: { case: "structuredDatasetType", value: sd } });
    }
    case "noneType":
      return simple(SimpleType.NONE);
    case "error":
      return simple(SimpleType.ERROR);
    case "generic":
      return simple(SimpleType.STRUCT);
    case "union": {
      const variant = v.value.type ?? create(core.LiteralTypeSchema);
      return create(core.LiteralTypeSchema, {
        type: { case: "unionType", value: create(core.UnionTypeSchema, { variants: [variant] }) },
      });
    }
    default:
      return undefined;
  }
}
