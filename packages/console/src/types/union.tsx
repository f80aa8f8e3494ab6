// union<…>: Optional[T] (a union with none) is entered as T's text, empty meaning none; other unions as JSON,
// the first variant the value fits winning (flytekit's rule, which toLiteral applies).
import { core } from "@aloft/idl";
import type { TypeHandler } from "./handler.ts";
import { jsonToValue, parseJsonText, valueToJson } from "./json-value.ts";

const isNone = (t: core.LiteralType) => t.type.case === "simple" && t.type.value === core.SimpleType.NONE;

/** The T of Optional[T] (a union of exactly T and none), or undefined. */
export function optionalOf(t: core.LiteralType): core.LiteralType | undefined {
  if (t.type.case !== "unionType") return undefined;
  const rest = t.type.value.variants.filter((v) => !isNone(v));
  return rest.length === 1 && t.type.value.variants.length === 2 ? rest[0] : undefined;
}

export const unionType: TypeHandler = {
  control: "json",
  view(v, t, child) {
    if (v === null || v === undefined) return <span className="muted">none</span>;
    const inner = optionalOf(t);
    if (inner) return child(v, inner);
    return <pre>{JSON.stringify(valueToJson(v), null, 2)}</pre>;
  },
  toText: (v) => (v === null || v === undefined ? "" : JSON.stringify(valueToJson(v), null, 2)),
  parse(text, t) {
    if (text.trim() === "") return null;
    return jsonToValue(parseJsonText(text), t);
  },
};
