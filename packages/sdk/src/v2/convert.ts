// Values to and from the literals a child action takes and gives, by the called task's declared schemas.
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import type { SchemaMap, TransformContext } from "../types/schema.ts";

export async function inputLiteralsOf(inputs: SchemaMap, values: unknown, ctx: TransformContext, label: string): Promise<core.LiteralMap> {
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw new TypeMismatchError(`${label} inputs`, "must be an object of named inputs, e.g. { x: 1 }");
  }
  const given = values as Record<string, unknown>;
  for (const k of Object.keys(given)) {
    if (!(k in inputs)) throw new TypeMismatchError(`${label} input ${k}`, `is not an input (inputs: ${Object.keys(inputs).join(", ") || "none"})`);
  }
  const literals: Record<string, core.Literal> = {};
  for (const [k, schema] of Object.entries(inputs)) {
    const v = given[k];
    if (v === undefined && schema.check(null, k) !== undefined) throw new TypeMismatchError(`${label} input ${k}`, "is required");
    literals[k] = await schema.toLiteral(v ?? null, ctx, `${label} input ${k}`);
  }
  const map = create(core.LiteralMapSchema);
  map.literals = literals;
  return map;
}

export async function outputValuesOf(outputs: SchemaMap, single: boolean, literals: core.LiteralMap, ctx: TransformContext, label: string): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, schema] of Object.entries(outputs)) {
    const l = literals.literals[k];
    if (!l) throw new TypeMismatchError(`${label} output ${k}`, "is missing from the child's outputs");
    out[k] = await schema.fromLiteral(l, ctx, `${label} output ${k}`);
  }
  if (single) return out.o0;
  return Object.keys(outputs).length ? out : undefined;
}
