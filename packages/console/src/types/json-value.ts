// JSON text ⇄ the plain values @aloft/idl converts to literals, guided by the type: JSON has no dates, bytes or
// 64-bit integers, so datetimes are ISO strings, durations milliseconds, binary base64, integers numbers or digit strings.
import { core } from "@aloft/idl";
import { FieldError } from "./handler.ts";

const S = core.SimpleType;

function at(path: string, message: string): never {
  throw new FieldError(path === "" ? message : `${path}: ${message}`);
}

export function jsonToValue(json: unknown, type: core.LiteralType, path = ""): unknown {
  const t = type.type;
  switch (t.case) {
    case "simple":
      switch (t.value) {
        case S.INTEGER:
          if (typeof json === "string" && /^-?\d+$/.test(json)) return BigInt(json);
          if (typeof json === "number" && !Number.isInteger(json)) at(path, `${json} is not an integer`);
          return json;
        case S.DATETIME: {
          if (typeof json !== "string") at(path, "a datetime is an ISO 8601 string, e.g. 2026-01-31T12:00:00Z");
          const d = new Date(json as string);
          if (Number.isNaN(d.getTime())) at(path, `"${String(json)}" is not an ISO 8601 datetime`);
          return d;
        }
        case S.BINARY:
          if (typeof json !== "string") at(path, "binary is a base64 string");
          try {
            return Uint8Array.from(atob(json as string), (c) => c.charCodeAt(0));
          } catch {
            return at(path, "not valid base64");
          }
        default:
          return json;
      }
    case "collectionType":
      return Array.isArray(json) ? json.map((item, i) => jsonToValue(item, t.value, `${path}[${i}]`)) : json;
    case "mapValueType":
      return json !== null && typeof json === "object" && !Array.isArray(json)
        ? Object.fromEntries(Object.entries(json).map(([k, v]) => [k, jsonToValue(v, t.value, path === "" ? k : `${path}.${k}`)]))
        : json;
    case "unionType": {
      // The first variant the JSON converts to wins, as toLiteral picks the first variant the value fits.
      for (const v of t.value.variants) {
        try {
          return jsonToValue(json, v, path);
        } catch {
          continue;
        }
      }
      return json;
    }
    default:
      return json;
  }
}

/** A plain value as JSON-compatible data (the inverse of jsonToValue). */
export function valueToJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return btoa(String.fromCharCode(...value));
  if (Array.isArray(value)) return value.map(valueToJson);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, valueToJson(v)]));
  return value;
}

export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FieldError(`not valid JSON: ${(e as Error).message}`);
  }
}
