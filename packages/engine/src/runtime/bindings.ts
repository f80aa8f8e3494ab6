// Binding resolution: turns a node's input bindings into a LiteralMap from the outputs of its
// upstream nodes (promises, optionally with an attribute path), static scalars, collections, maps
// and union wrappers. Pure: the caller supplies the upstream outputs.
import { create } from "@bufbuild/protobuf";
import type { JsonValue } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { InvalidArgumentError, UnsupportedError } from "../errors.ts";

/** Outputs of a node by node id ("start-node" means the workflow's inputs). */
export type OutputLookup = (nodeId: string) => core.LiteralMap | undefined;

export class BindingError extends InvalidArgumentError {}

export function resolveBindings(
  bindings: readonly core.Binding[],
  lookup: OutputLookup,
  where: string,
): core.LiteralMap {
  const literals: Record<string, core.Literal> = {};
  for (const b of bindings) {
    if (!b.binding) throw new BindingError(`${where}.inputs.${b.var}`, "binding has no value");
    literals[b.var] = resolveBindingData(b.binding, lookup, `${where}.inputs.${b.var}`);
  }
  return create(core.LiteralMapSchema, { literals });
}

export function resolveBindingData(data: core.BindingData, lookup: OutputLookup, field: string): core.Literal {
  let lit: core.Literal;
  const v = data.value;
  switch (v.case) {
    case "scalar":
      lit = create(core.LiteralSchema, { value: { case: "scalar", value: v.value } });
      break;
    case "collection":
      lit = create(core.LiteralSchema, {
        value: {
          case: "collection",
          value: { literals: v.value.bindings.map((d, i) => resolveBindingData(d, lookup, `${field}[${i}]`)) },
        },
      });
      break;
    case "map": {
      const literals: Record<string, core.Literal> = {};
      for (const [k, d] of Object.entries(v.value.bindings)) literals[k] = resolveBindingData(d, lookup, `${field}.${k}`);
      lit = create(core.LiteralSchema, { value: { case: "map", value: { literals } } });
      break;
    }
    case "promise": {
      const ref = v.value;
      const outputs = lookup(ref.nodeId);
      if (!outputs) throw new BindingError(field, `node "${ref.nodeId}" has no outputs available`);
      const out = outputs.literals[ref.var];
      if (!out) throw new BindingError(field, `node "${ref.nodeId}" has no output "${ref.var}"`);
      lit = ref.attrPath.length ? resolveAttrPath(out, ref.attrPath, field) : out;
      break;
    }
    case "offloadedMetadata":
      throw new UnsupportedError(field, "offloaded literal bindings are not supported");
    default:
      throw new BindingError(field, "binding data has no value");
  }
  if (data.union) {
    lit = create(core.LiteralSchema, {
      value: { case: "scalar", value: { value: { case: "union", value: { value: lit, type: data.union.targetType } } } },
    });
  }
  return lit;
}

function attrText(a: core.PromiseAttribute): string {
  return a.value.case === "intValue" ? `[${a.value.value}]` : `.${String(a.value.value)}`;
}

/** Follows `o.a["b"][0]` through collections, maps and generic structs (Flyte dataclasses). */
export function resolveAttrPath(literal: core.Literal, path: readonly core.PromiseAttribute[], field: string): core.Literal {
  let cur = literal;
  let i = 0;
  for (; i < path.length; i++) {
    const a = path[i]!;
    if (cur.value.case === "map") {
      const key = a.value.case === "stringValue" ? a.value.value : String(a.value.value);
      const next = cur.value.value.literals[key];
      if (!next) throw new BindingError(field, `key "${key}" does not exist in the map output`);
      cur = next;
    } else if (cur.value.case === "collection") {
      if (a.value.case !== "intValue") throw new BindingError(field, `collection output indexed by ${attrText(a)}`);
      const next = cur.value.value.literals[a.value.value];
      if (!next) throw new BindingError(field, `index ${a.value.value} is out of range (${cur.value.value.literals.length} items)`);
      cur = next;
    } else break;
  }
  if (i === path.length) return cur;
  const scalar = cur.value.case === "scalar" ? cur.value.value.value : undefined;
  if (scalar?.case === "generic") {
    let val: JsonValue = scalar.value;
    for (; i < path.length; i++) {
      const a = path[i]!;
      if (Array.isArray(val) && a.value.case === "intValue") {
        if (a.value.value >= val.length) throw new BindingError(field, `index ${a.value.value} is out of range`);
        val = val[a.value.value] as JsonValue;
      } else if (val !== null && typeof val === "object" && !Array.isArray(val) && a.value.case === "stringValue") {
        if (!(a.value.value in val)) throw new BindingError(field, `attribute "${a.value.value}" does not exist`);
        val = val[a.value.value] as JsonValue;
      } else {
        throw new BindingError(field, `cannot apply ${attrText(a)} to a ${val === null ? "null" : typeof val} value`);
      }
    }
    return jsonToLiteral(val);
  }
  if (scalar?.case === "binary") {
    throw new UnsupportedError(field, "attribute paths into msgpack (binary) values are not supported yet");
  }
  throw new BindingError(field, `cannot apply attribute path ${path.slice(i).map(attrText).join("")} to a ${cur.value.case ?? "empty"} literal`);
}

// Leaves become primitives (numbers as floats, as Flyte does); objects stay generic structs
// (protobuf-es represents google.protobuf.Struct as a plain JSON object).
function jsonToLiteral(v: JsonValue): core.Literal {
  if (typeof v === "string") return primitive({ case: "stringValue", value: v });
  if (typeof v === "number") return primitive({ case: "floatValue", value: v });
  if (typeof v === "boolean") return primitive({ case: "boolean", value: v });
  if (v === null) return create(core.LiteralSchema, { value: { case: "scalar", value: { value: { case: "noneType", value: {} } } } });
  if (Array.isArray(v)) {
    return create(core.LiteralSchema, { value: { case: "collection", value: { literals: v.map(jsonToLiteral) } } });
  }
  return create(core.LiteralSchema, { value: { case: "scalar", value: { value: { case: "generic", value: v } } } });
}

function primitive(value: core.Primitive["value"]): core.Literal {
  return create(core.LiteralSchema, { value: { case: "scalar", value: { value: { case: "primitive", value: { value } } } } });
}
