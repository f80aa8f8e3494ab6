// Flyte `duration` (google.protobuf.Duration) as milliseconds, the unit JS timers use. The command line also
// takes unit suffixes (`90s`, `5m`, `1h30m`, `250ms`) because bare numbers of milliseconds are easy to misread.
import { types } from "@aloft/idl";
import { TypeMismatchError } from "../errors.ts";
import { checked, plainSchema } from "./plain.ts";
import { describeValue, type Schema } from "./schema.ts";

function check(v: unknown): string | undefined {
  return typeof v === "number" && Number.isFinite(v) ? undefined : `expected a duration in milliseconds, got ${describeValue(v)}`;
}

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `1h30m`, `90s`, `250ms` or a bare number of milliseconds. */
export function parseDuration(text: string, path: string): number {
  const s = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  const parts = [...s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== s) {
    throw new TypeMismatchError(path, `expected a duration such as 90s, 5m, 1h30m or 250ms, got ${JSON.stringify(text)}`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (unitMs[p[2] as string] as number), 0);
}

export const durationSchema = (): Schema<number> =>
  plainSchema<number>({
    name: "timedelta",
    literalType: types.duration,
    check,
    fromJson: (json, path) => (typeof json === "string" ? parseDuration(json, path) : checked(json, path, check)),
    toJson: (v) => v,
    parse: parseDuration,
  });
