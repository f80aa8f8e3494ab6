// datetime (ISO 8601, shown in UTC and local time) and duration (entered and shown in seconds).
import { FieldError, type TypeHandler } from "./handler.ts";

export const datetimeType: TypeHandler = {
  control: "datetime",
  view: (v) => {
    const d = v as Date;
    return <time dateTime={d.toISOString()} title={d.toLocaleString()}>{d.toISOString()}</time>;
  },
  toText: (v) => (v as Date).toISOString(),
  parse(text) {
    const s = text.trim();
    const d = new Date(s);
    if (s === "" || Number.isNaN(d.getTime())) throw new FieldError(s === "" ? "enter a datetime (ISO 8601, e.g. 2026-01-31T12:00:00Z)" : `"${s}" is not an ISO 8601 datetime`);
    return d;
  },
};

export const durationType: TypeHandler = {
  control: "text",
  view: (v) => <span className="mono">{(v as number) / 1000} s</span>,
  toText: (v) => String((v as number) / 1000),
  parse(text) {
    const s = text.trim().replace(/\s*s$/, "");
    const n = Number(s);
    if (s === "" || !Number.isFinite(n)) throw new FieldError('enter a duration in seconds, e.g. 90 or 1.5');
    return n * 1000;
  },
};
