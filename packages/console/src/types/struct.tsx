// struct (a dataclass or dict, google.protobuf.Struct): entered and shown as JSON; a JSON schema, when the type
// carries one (flytekit's dataclasses do), names the required fields.
import type { core } from "@aloft/idl";
import { FieldError, type TypeHandler } from "./handler.ts";
import { parseJsonText, valueToJson } from "./json-value.ts";

function requiredFields(t: core.LiteralType): string[] {
  const schema = t.metadata as { required?: unknown } | undefined;
  return Array.isArray(schema?.required) ? schema.required.filter((x): x is string => typeof x === "string") : [];
}

export const structType: TypeHandler = {
  control: "json",
  view: (v) => <pre>{JSON.stringify(valueToJson(v), null, 2)}</pre>,
  toText: (v) => JSON.stringify(valueToJson(v), null, 2),
  parse(text, t) {
    const json = parseJsonText(text);
    if (json === null || typeof json !== "object" || Array.isArray(json)) throw new FieldError('a struct is a JSON object, e.g. {"name": "x"}');
    const missing = requiredFields(t).filter((f) => !(f in json));
    if (missing.length > 0) throw new FieldError(`missing required field${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
    return json;
  },
};
