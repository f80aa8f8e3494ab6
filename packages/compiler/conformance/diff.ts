// First difference between two JSON values, as a field path and both values, for conformance failure lines.
import type { JsonValue } from "@bufbuild/protobuf";

export interface Difference {
  path: string;
  got: string;
  want: string;
}

function show(v: JsonValue | undefined): string {
  if (v === undefined) return "<absent>";
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

export function firstDifference(got: JsonValue | undefined, want: JsonValue | undefined, path = ""): Difference | undefined {
  if (got === want) return undefined;
  const bothObjects = typeof got === "object" && got !== null && typeof want === "object" && want !== null;
  if (!bothObjects || Array.isArray(got) !== Array.isArray(want)) {
    return JSON.stringify(got) === JSON.stringify(want) ? undefined : { path: path || "<root>", got: show(got), want: show(want) };
  }
  if (Array.isArray(got) && Array.isArray(want)) {
    for (let i = 0; i < Math.max(got.length, want.length); i++) {
      const d = firstDifference(got[i], want[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const g = got as { [k: string]: JsonValue };
  const w = want as { [k: string]: JsonValue };
  const keys = [...new Set([...Object.keys(w), ...Object.keys(g)])];
  for (const k of keys) {
    const d = firstDifference(g[k], w[k], path ? `${path}.${k}` : k);
    if (d) return d;
  }
  return undefined;
}
