// Flyte `map` (string keys only, as in Flyte) as a plain JS record.
import { core, describeLiteral, lit, types } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import { describeValue, isPlainObject, parseJsonText, type Schema } from "./schema.ts";

const key = (path: string, k: string) => `${path}[${JSON.stringify(k)}]`;

export function mapSchema<T>(value: Schema<T>): Schema<Record<string, T>> & { value: Schema<T> } {
  return {
    name: "dict",
    value,
    literalType: () => types.map(value.literalType()),
    check(v, path) {
      if (!isPlainObject(v)) return `expected a map (plain object), got ${describeValue(v)}`;
      for (const [k, x] of Object.entries(v)) {
        const why = value.check(x, key(path, k));
        if (why !== undefined) return `[${JSON.stringify(k)}]: ${why}`;
      }
      return undefined;
    },
    async toLiteral(v, ctx, path) {
      if (!isPlainObject(v)) throw new TypeMismatchError(path, `expected a map (plain object), got ${describeValue(v)}`);
      const entries = await Promise.all(
        Object.entries(v).map(async ([k, x]) => [k, await value.toLiteral(x as T, ctx, key(path, k))] as const),
      );
      return lit.map(Object.fromEntries(entries));
    },
    async fromLiteral(literal, ctx, path) {
      if (literal.value.case !== "map") throw new TypeMismatchError(path, `expected a map, got ${describeLiteral(literal)}`);
      const entries: [string, core.Literal][] = Object.entries(literal.value.value.literals);
      const out = await Promise.all(entries.map(async ([k, l]) => [k, await value.fromLiteral(l, ctx, key(path, k))] as const));
      return Object.fromEntries(out);
    },
    fromJson(json, path) {
      if (!isPlainObject(json)) throw new TypeMismatchError(path, `expected a JSON object, got ${describeValue(json)}`);
      return Object.fromEntries(Object.entries(json).map(([k, j]) => [k, value.fromJson(j, key(path, k))]));
    },
    toJson: (v) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value.toJson(x)])),
    parse(text, path) {
      return this.fromJson(parseJsonText(text, path, "a map"), path);
    },
  };
}
