// map<string, T>: entered as a JSON object, shown as a key/value table.
import { FieldError, type TypeHandler } from "./handler.ts";
import { jsonToValue, parseJsonText, valueToJson } from "./json-value.ts";

export const mapType: TypeHandler = {
  control: "json",
  view(v, t, child) {
    if (t.type.case !== "mapValueType") return null;
    const valueType = t.type.value;
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return <span className="muted">{"{}"} (empty)</span>;
    return (
      <dl className="kv">
        {entries.map(([k, x]) => (
          <div key={k} style={{ display: "contents" }}>
            <dt className="mono">{k}</dt>
            <dd>{child(x, valueType)}</dd>
          </div>
        ))}
      </dl>
    );
  },
  toText: (v) => JSON.stringify(valueToJson(v), null, 2),
  parse(text, t) {
    const json = parseJsonText(text);
    if (json === null || typeof json !== "object" || Array.isArray(json)) throw new FieldError('a map is a JSON object, e.g. {"a": 1}');
    return jsonToValue(json, t);
  },
};
