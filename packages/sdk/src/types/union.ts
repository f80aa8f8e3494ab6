// Flyte `union` and `optional` (union<T, none>). Going in, the first variant the value fits wins (flytekit's
// order, and the shared @aloft/idl policy); the chosen variant's type, tagged with its name, is stored in the
// literal so readers know how to decode it.
import { core, describeLiteral, formatLiteralType, lit, types } from "@aloft/idl";
import { DefinitionError, TypeMismatchError } from "../errors.ts";
import { noneSchema } from "./none.ts";
import { describeValue, type Infer, type Schema } from "./schema.ts";

function tagged(s: Schema<unknown>): core.LiteralType {
  return types.tagged(s.literalType(), s.name);
}

/** Which variant a stored union literal says it holds: by tag first, then by structural type. */
function variantFor(variants: Schema<unknown>[], stored: core.LiteralType | undefined): Schema<unknown> | undefined {
  if (!stored) return undefined;
  const tag = stored.structure?.tag;
  const byTag = tag ? variants.filter((v) => v.name === tag) : [];
  if (byTag.length === 1) return byTag[0];
  const text = formatLiteralType(stored);
  return (byTag.length > 1 ? byTag : variants).find((v) => formatLiteralType(v.literalType()) === text);
}

export function unionSchema<const V extends Schema<any>[]>(...variants: V): Schema<Infer<V[number]>> {
  if (variants.length < 2) throw new DefinitionError("t.union needs at least two variants");
  const vs = variants as Schema<unknown>[];
  type T = Infer<V[number]>;
  const pick = (value: unknown, path: string) => vs.find((v) => v.check(value, path) === undefined);
  const names = () => vs.map((v) => formatLiteralType(v.literalType())).join(" | ");
  return {
    name: "union",
    literalType: () => types.union(...vs.map(tagged)),
    check(value, path) {
      return pick(value, path) ? undefined : `expected ${names()}, got ${describeValue(value)}`;
    },
    async toLiteral(value, ctx, path) {
      const v = pick(value, path);
      if (!v) throw new TypeMismatchError(path, `expected ${names()}, got ${describeValue(value)}`);
      return lit.union(await v.toLiteral(value, ctx, path), tagged(v));
    },
    async fromLiteral(literal, ctx, path) {
      const sv = literal.value.case === "scalar" ? literal.value.value.value : undefined;
      if (sv?.case === "union") {
        const v = variantFor(vs, sv.value.type);
        if (!v || !sv.value.value) {
          throw new TypeMismatchError(path, `union literal holds ${formatLiteralType(sv.value.type)}, which is not one of ${names()}`);
        }
        return (await v.fromLiteral(sv.value.value, ctx, path)) as T;
      }
      // A bare literal bound to a union input (Flyte lets a T flow into Optional[T]): the first variant that reads it.
      for (const v of vs) {
        try {
          return (await v.fromLiteral(literal, ctx, path)) as T;
        } catch (e) {
          if (!(e instanceof TypeMismatchError)) throw e;
        }
      }
      throw new TypeMismatchError(path, `expected ${names()}, got ${describeLiteral(literal)}`);
    },
    fromJson(json, path) {
      for (const v of vs) {
        try {
          return v.fromJson(json, path) as T;
        } catch (e) {
          if (!(e instanceof TypeMismatchError)) throw e;
        }
      }
      throw new TypeMismatchError(path, `expected ${names()}, got ${describeValue(json)}`);
    },
    toJson(value) {
      const v = pick(value, "");
      if (!v) throw new TypeMismatchError("", `expected ${names()}, got ${describeValue(value)}`);
      return v.toJson(value);
    },
    parse(text, path) {
      for (const v of vs) {
        try {
          return v.parse(text, path) as T;
        } catch (e) {
          if (!(e instanceof TypeMismatchError)) throw e;
        }
      }
      throw new TypeMismatchError(path, `expected ${names()}, got ${JSON.stringify(text)}`);
    },
  };
}

/** `T | null`, stored as Flyte's union<T, none> like flytekit's Optional[T]. */
export function optionalSchema<T>(inner: Schema<T>): Schema<T | null> {
  return unionSchema(inner, noneSchema()) as Schema<T | null>;
}
