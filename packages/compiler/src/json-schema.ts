// Comparison of the JSON schemas flytekit attaches to dataclass / Pydantic struct types. Flyte accepts an upstream
// struct when its schema equals the downstream one or is a structural subtype of it (a child dataclass flowing into
// a parent). This is a conservative structural check over the keywords mashumaro and Pydantic emit (type,
// properties, required, items, additionalProperties as a schema, anyOf/oneOf, enum, $ref into $defs/definitions);
// annotation keywords (title, description, default, format...) do not affect the answer.
import type { JsonValue } from "@bufbuild/protobuf";

type Obj = { [k: string]: JsonValue };

export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as JsonValue[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ka = Object.keys(a);
  const bo = b as Obj;
  if (ka.length !== Object.keys(bo).length) return false;
  return ka.every((k) => k in bo && jsonEqual((a as Obj)[k], bo[k]));
}

function isObj(v: JsonValue | undefined): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Resolves a local `#/...` reference inside `root`; unknown references resolve to undefined. */
function resolve(schema: Obj, root: Obj, depth: number): Obj | undefined {
  let s: Obj | undefined = schema;
  for (let i = 0; s && typeof s["$ref"] === "string" && i < 32 && depth < 64; i++) {
    const ref: string = s["$ref"];
    if (!ref.startsWith("#")) return undefined;
    let cur: JsonValue | undefined = root;
    for (const part of ref.slice(1).split("/").filter((p) => p !== "")) {
      cur = isObj(cur) ? cur[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
    }
    s = isObj(cur) ? cur : undefined;
  }
  return s;
}

function typeSet(s: Obj): Set<string> | undefined {
  const t = s["type"];
  if (typeof t === "string") return new Set([t]);
  if (Array.isArray(t)) return new Set(t.filter((x): x is string => typeof x === "string"));
  return undefined;
}

function variants(s: Obj): JsonValue[] | undefined {
  const v = s["anyOf"] ?? s["oneOf"];
  return Array.isArray(v) ? v : undefined;
}

/** True when every instance valid against `src` (within `srcRoot`) is also valid against `tgt` (within `tgtRoot`). */
function sub(src: Obj, srcRoot: Obj, tgt: Obj, tgtRoot: Obj, depth: number): boolean {
  if (depth > 64) return false;
  const s = resolve(src, srcRoot, depth);
  const t = resolve(tgt, tgtRoot, depth);
  if (!s || !t) return false;
  const sv = variants(s);
  if (sv) return sv.every((x) => isObj(x) && sub(x, srcRoot, t, tgtRoot, depth + 1));
  const tv = variants(t);
  if (tv) return tv.some((x) => isObj(x) && sub(s, srcRoot, x, tgtRoot, depth + 1));

  const tt = typeSet(t);
  if (tt) {
    const st = typeSet(s);
    if (!st) return false;
    for (const x of st) if (!tt.has(x) && !(x === "integer" && tt.has("number"))) return false;
  }
  if (Array.isArray(t["enum"])) {
    const te = t["enum"];
    if (!Array.isArray(s["enum"]) || !s["enum"].every((x) => te.some((y) => jsonEqual(x, y)))) return false;
  }
  const treq = Array.isArray(t["required"]) ? t["required"] : [];
  const sreq = new Set(Array.isArray(s["required"]) ? s["required"] : []);
  if (!treq.every((r) => sreq.has(r))) return false;
  const tprops = isObj(t["properties"]) ? t["properties"] : {};
  const sprops = isObj(s["properties"]) ? s["properties"] : {};
  for (const [name, tp] of Object.entries(tprops)) {
    const sp = sprops[name];
    if (sp === undefined) continue;
    if (!isObj(sp) || !isObj(tp) || !sub(sp, srcRoot, tp, tgtRoot, depth + 1)) return false;
  }
  if (isObj(t["items"])) {
    if (!isObj(s["items"]) || !sub(s["items"], srcRoot, t["items"], tgtRoot, depth + 1)) return false;
  }
  if (isObj(t["additionalProperties"]) && isObj(s["additionalProperties"])) {
    if (!sub(s["additionalProperties"], srcRoot, t["additionalProperties"], tgtRoot, depth + 1)) return false;
  }
  return true;
}

/** True when the upstream struct schema `src` is the same as or a structural subtype of the downstream `tgt`. */
export function isSubschema(src: JsonValue, tgt: JsonValue): boolean {
  if (!isObj(src) || !isObj(tgt)) return false;
  return sub(src, src, tgt, tgt, 0);
}
