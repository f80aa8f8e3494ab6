// One handler per Flyte type, chosen from the LiteralType; everything that shows or enters a value asks here.
import type { ReactNode } from "react";
import { core, formatLiteralType, fromLiteral, formatLiteral } from "@aloft/idl";
import type { TypeHandler } from "./handler.ts";
import { booleanType, floatType, integerType, noneType, stringType } from "./scalar.tsx";
import { datetimeType, durationType } from "./time.tsx";
import { enumType } from "./enum.tsx";
import { blobType, structuredDatasetType } from "./blob.tsx";
import { collectionType } from "./collection.tsx";
import { mapType } from "./map.tsx";
import { structType } from "./struct.tsx";
import { optionalOf, unionType } from "./union.tsx";

const S = core.SimpleType;

const simpleHandlers: Partial<Record<core.SimpleType, TypeHandler>> = {
  [S.INTEGER]: integerType,
  [S.FLOAT]: floatType,
  [S.STRING]: stringType,
  [S.BOOLEAN]: booleanType,
  [S.NONE]: noneType,
  [S.DATETIME]: datetimeType,
  [S.DURATION]: durationType,
  [S.STRUCT]: structType,
};

/** The handler for a type; undefined for types the console cannot enter (binary, error, unset). */
export function handlerFor(t: core.LiteralType): TypeHandler | undefined {
  const k = t.type;
  switch (k.case) {
    case "simple":
      return simpleHandlers[k.value];
    case "enumType":
      return enumType;
    case "blob":
      return blobType;
    case "structuredDatasetType":
    case "schema":
      return structuredDatasetType;
    case "collectionType":
      return collectionType;
    case "mapValueType":
      return mapType;
    case "unionType":
      return unionType;
    default:
      return undefined;
  }
}

/** A type printed for people: Optional[T] as `T?`, the rest as @aloft/idl's signature (list<integer>, …). */
export function typeLabel(t: core.LiteralType | undefined): string {
  if (t === undefined) return formatLiteralType(t);
  const inner = optionalOf(t);
  return inner ? `${typeLabel(inner)}?` : formatLiteralType(t);
}

function renderValue(value: unknown, type: core.LiteralType): ReactNode {
  const h = handlerFor(type);
  if (!h) return <span className="mono">{String(value)}</span>;
  return h.view(value, type, renderValue);
}

/** Shows a literal by its type; a literal that does not fit (or a type not known) is printed as Flyte writes it. */
export function LiteralView({ literal, type }: { literal: core.Literal; type: core.LiteralType | undefined }) {
  if (type) {
    try {
      return <>{renderValue(fromLiteral(literal, type, { int64: "bigint" }), type)}</>;
    } catch {
      // Falls through to the literal's own printing below.
    }
  }
  return <span className="mono">{formatLiteral(literal)}</span>;
}
