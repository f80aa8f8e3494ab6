// Flyte `collection` as a JS array. Items go through the item schema, so lists of files or datasets work too.
import { core, describeLiteral, lit, types } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import { describeValue, parseJsonText, type Schema } from "./schema.ts";

export function listSchema<T>(item: Schema<T>): Schema<T[]> & { item: Schema<T> } {
  return {
    name: "list",
    item,
    literalType: () => types.list(item.literalType()),
    check(value, path) {
      if (!Array.isArray(value)) return `expected a list, got ${describeValue(value)}`;
      for (let i = 0; i < value.length; i++) {
        const why = item.check(value[i], `${path}[${i}]`);
        if (why !== undefined) return `[${i}]: ${why}`;
      }
      return undefined;
    },
    async toLiteral(value, ctx, path) {
      if (!Array.isArray(value)) throw new TypeMismatchError(path, `expected a list, got ${describeValue(value)}`);
      return lit.collection(await Promise.all(value.map((v, i) => item.toLiteral(v, ctx, `${path}[${i}]`))));
    },
    async fromLiteral(literal, ctx, path) {
      if (literal.value.case !== "collection") throw new TypeMismatchError(path, `expected a list, got ${describeLiteral(literal)}`);
      const items: core.Literal[] = literal.value.value.literals;
      return Promise.all(items.map((l, i) => item.fromLiteral(l, ctx, `${path}[${i}]`)));
    },
    fromJson(json, path) {
      if (!Array.isArray(json)) throw new TypeMismatchError(path, `expected a JSON array, got ${describeValue(json)}`);
      return json.map((j, i) => item.fromJson(j, `${path}[${i}]`));
    },
    toJson: (value) => value.map((v) => item.toJson(v)),
    parse(text, path) {
      return this.fromJson(parseJsonText(text, path, "a list"), path);
    },
  };
}
