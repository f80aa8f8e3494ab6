// Content digests deciding whether a re-registration is identical. Computed over canonical protobuf JSON (keys
// sorted) rather than binary, because binary encoding of maps depends on insertion order.
import { createHash } from "node:crypto";
import { toJson, type DescMessage, type MessageShape } from "@bufbuild/protobuf";

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function digestOf<D extends DescMessage>(schema: D, message: MessageShape<D>): string {
  return createHash("sha256").update(canonical(toJson(schema, message))).digest("hex");
}
