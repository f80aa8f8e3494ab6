// integer, float, string, boolean and none.
import { FieldError, type TypeHandler } from "./handler.ts";

export const integerType: TypeHandler = {
  control: "number",
  view: (v) => <span className="mono">{String(v)}</span>,
  toText: (v) => String(v),
  parse(text) {
    const s = text.trim();
    if (!/^-?\d+$/.test(s)) throw new FieldError(s === "" ? "enter an integer" : `"${s}" is not an integer`);
    const n = BigInt(s);
    if (n > 2n ** 63n - 1n || n < -(2n ** 63n)) throw new FieldError(`${s} does not fit in 64 bits`);
    return Number.isSafeInteger(Number(n)) ? Number(n) : n;
  },
};

export const floatType: TypeHandler = {
  control: "number",
  view: (v) => <span className="mono">{String(v)}</span>,
  toText: (v) => String(v),
  parse(text) {
    const s = text.trim();
    const n = Number(s);
    if (s === "" || !Number.isFinite(n)) throw new FieldError(s === "" ? "enter a number" : `"${s}" is not a number`);
    return n;
  },
};

export const stringType: TypeHandler = {
  control: "text",
  view: (v) => <span className="mono">{JSON.stringify(v)}</span>,
  toText: (v) => String(v),
  parse: (text) => text,
};

export const booleanType: TypeHandler = {
  control: "checkbox",
  view: (v) => <span className="mono">{String(v)}</span>,
  toText: (v) => (v ? "true" : "false"),
  parse: (text) => text === "true",
};

export const noneType: TypeHandler = {
  control: "text",
  view: () => <span className="muted">none</span>,
  toText: () => "",
  parse(text) {
    if (text.trim() !== "") throw new FieldError("this input takes no value");
    return null;
  },
};
