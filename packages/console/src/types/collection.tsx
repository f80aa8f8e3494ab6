// list<T>: entered as a JSON array, shown as a list of its items rendered by their type.
import { FieldError, type TypeHandler } from "./handler.ts";
import { jsonToValue, parseJsonText, valueToJson } from "./json-value.ts";

export const collectionType: TypeHandler = {
  control: "json",
  view(v, t, child) {
    const items = v as unknown[];
    if (t.type.case !== "collectionType") return null;
    const item = t.type.value;
    if (items.length === 0) return <span className="muted">[] (empty)</span>;
    return (
      <ol className="value-list" start={0}>
        {items.slice(0, 200).map((x, i) => (
          <li key={i}>{child(x, item)}</li>
        ))}
        {items.length > 200 && <li className="muted">… {items.length - 200} more</li>}
      </ol>
    );
  },
  toText: (v) => JSON.stringify(valueToJson(v), null, 2),
  parse(text, t) {
    const json = parseJsonText(text);
    if (!Array.isArray(json)) throw new FieldError("a list is a JSON array, e.g. [1, 2, 3]");
    return jsonToValue(json, t);
  },
};
