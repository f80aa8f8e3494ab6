// An enum: one of the declared values, chosen from a list.
import { FieldError, type TypeHandler } from "./handler.ts";

export const enumType: TypeHandler = {
  control: "select",
  options: (t) => (t.type.case === "enumType" ? t.type.value.values : []),
  view: (v) => <span className="mono">{String(v)}</span>,
  toText: (v) => String(v),
  parse(text, t) {
    const values = t.type.case === "enumType" ? t.type.value.values : [];
    if (!values.includes(text)) throw new FieldError(`choose one of ${values.join(", ")}`);
    return text;
  },
};
