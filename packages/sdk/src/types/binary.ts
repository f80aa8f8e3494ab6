// Flyte `binary` (Scalar.binary) as a Uint8Array. JSON and the command line use base64.
import { types } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import { plainSchema } from "./plain.ts";
import { describeValue, type Schema } from "./schema.ts";

function check(v: unknown): string | undefined {
  return v instanceof Uint8Array ? undefined : `expected bytes (Uint8Array), got ${describeValue(v)}`;
}

function fromBase64(text: unknown, path: string): Uint8Array {
  if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text.trim())) {
    throw new TypeMismatchError(path, `expected base64 bytes, got ${describeValue(text)}`);
  }
  return new Uint8Array(Buffer.from(text.trim(), "base64"));
}

export const binarySchema = (): Schema<Uint8Array> =>
  plainSchema<Uint8Array>({
    name: "bytes",
    literalType: types.binary,
    check,
    fromJson: fromBase64,
    toJson: (v) => Buffer.from(v).toString("base64"),
    parse: fromBase64,
  });
