// Reading plain values out of literal maps in tests.
import { core, lit } from "@aloft/idl";
import { create } from "@bufbuild/protobuf";

export function int(m: core.LiteralMap | undefined, name: string): number {
  const l = m?.literals[name];
  if (l?.value.case === "scalar" && l.value.value.value.case === "primitive" && l.value.value.value.value.value.case === "integer") {
    return Number(l.value.value.value.value.value.value);
  }
  throw new Error(`output ${name} is not an integer: ${JSON.stringify(l?.value.case)}`);
}

export function ints(record: Record<string, number>): core.LiteralMap {
  return create(core.LiteralMapSchema, { literals: Object.fromEntries(Object.entries(record).map(([k, v]) => [k, lit.integer(v)])) });
}

export function intOf(l: core.Literal | undefined): number | null {
  if (l?.value.case === "scalar" && l.value.value.value.case === "noneType") return null;
  if (l?.value.case === "scalar" && l.value.value.value.case === "primitive" && l.value.value.value.value.value.case === "integer") {
    return Number(l.value.value.value.value.value.value);
  }
  throw new Error("not an integer literal");
}
