// Checks every decoded request makes before its handler runs, the same on every transport.
import type { DescField, DescMessage, Message } from "@bufbuild/protobuf";
import { InvalidArgumentError } from "../errors.ts";

// Literal values are data, stored as serialized bytes: a NUL in a string input is the user's to send.
const dataTypes = /^(flyteidl\.core\.(Literal|Scalar|Primitive|Binary|Blob|Union|StructuredDataset)|google\.protobuf\.)/;

/**
 * The proto path of the first string holding a NUL character, or undefined. PostgreSQL's text columns cannot hold
 * NUL, so such a name would reach the database as an INTERNAL error instead of the client's mistake it is.
 */
export function findNul(schema: DescMessage, message: Message, path = ""): string | undefined {
  if (dataTypes.test(schema.typeName)) return undefined;
  const m = message as unknown as Record<string, unknown>;
  for (const field of schema.fields) {
    let value: unknown;
    if (field.oneof) {
      const o = m[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
      if (o?.case !== field.localName) continue;
      value = o.value;
    } else value = m[field.localName];
    const at = path === "" ? field.name : `${path}.${field.name}`;
    const found = check(field, value, at);
    if (found) return found;
  }
  return undefined;
}

function check(field: DescField, value: unknown, at: string): string | undefined {
  switch (field.fieldKind) {
    case "scalar":
      return typeof value === "string" && value.includes("\0") ? at : undefined;
    case "message":
      return value ? findNul(field.message, value as Message, at) : undefined;
    case "list":
      for (const [i, v] of (value as unknown[]).entries()) {
        if (field.listKind === "scalar" && typeof v === "string" && v.includes("\0")) return `${at}[${i}]`;
        if (field.listKind === "message") {
          const found = findNul(field.message, v as Message, `${at}[${i}]`);
          if (found) return found;
        }
      }
      return undefined;
    case "map":
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (k.includes("\0")) return `${at} key`;
        if (field.mapKind === "scalar" && typeof v === "string" && v.includes("\0")) return `${at}[${JSON.stringify(k)}]`;
        if (field.mapKind === "message") {
          const found = findNul(field.message, v as Message, `${at}[${JSON.stringify(k)}]`);
          if (found) return found;
        }
      }
      return undefined;
    default:
      return undefined;
  }
}

export function rejectNul(schema: DescMessage, message: Message): void {
  const at = findNul(schema, message);
  if (at !== undefined) throw new InvalidArgumentError(`${at} must not contain NUL characters`);
}
