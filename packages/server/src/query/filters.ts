// Flyte's list filter language: `fn(field,value)` expressions joined by `+`, for example
// `eq(phase,SUCCEEDED)+gte(created_at,2026-01-01T00:00:00Z)` or `value_in(phase,RUNNING;QUEUED)`.
// Parsing yields typed values bound to whitelisted columns; SQL is built only with bound parameters.
import { sql, type Expression, type SqlBool } from "kysely";
import { InvalidArgumentError } from "../errors.ts";
import type { Column, EntityColumns } from "./columns.ts";

export type FilterFunction = "contains" | "not_like" | "gt" | "gte" | "lt" | "lte" | "eq" | "ne" | "value_in" | "value_not_in";

const functions = new Set<string>(["contains", "not_like", "gt", "gte", "lt", "lte", "eq", "ne", "value_in", "value_not_in"]);
const repeated = new Set<string>(["value_in", "value_not_in"]);

export type FilterValue = string | number | Date;

export interface Filter {
  fn: FilterFunction;
  field: string;
  column: Column;
  values: FilterValue[];
}

const expression = /^([a-z_]+)\(([A-Za-z_][A-Za-z0-9_.]*),\s?(.*)\)$/s;

/** Values across all filters of one request: each is a bind parameter, and PostgreSQL's count is 16 bits. */
export const MAX_FILTER_VALUES = 10_000;

export function parseFilters(text: string, columns: EntityColumns, entity: string): Filter[] {
  if (text.trim() === "") return [];
  if (text.includes("\0")) throw new InvalidArgumentError("invalid filters: NUL characters are not allowed");
  const values = text.split(";").length;
  if (values > MAX_FILTER_VALUES) throw new InvalidArgumentError(`invalid filters: ${values} values, more than the limit of ${MAX_FILTER_VALUES}`);
  return text.split("+").map((part) => {
    const m = expression.exec(part);
    if (!m) throw new InvalidArgumentError(`invalid filters: cannot parse ${JSON.stringify(part)} (expected fn(field,value))`);
    const [, fn, field, raw] = m as unknown as [string, string, string, string];
    if (!functions.has(fn)) throw new InvalidArgumentError(`invalid filters: unrecognized filter function ${JSON.stringify(fn)}`);
    const column = columns[field];
    if (!column) throw new InvalidArgumentError(`invalid filters: ${JSON.stringify(field)} is not a filterable field of ${entity}`);
    const parts = raw.split(";");
    if (!repeated.has(fn) && parts.length > 1) {
      throw new InvalidArgumentError(`invalid filters: ${fn} takes one value, got ${parts.length} in ${JSON.stringify(part)}`);
    }
    if (raw === "" && column.type !== "text") throw new InvalidArgumentError(`invalid filters: empty value for ${field}`);
    return { fn: fn as FilterFunction, field, column, values: parts.map((v) => convert(v, column, field)) };
  });
}

function convert(value: string, column: Column, field: string): FilterValue {
  switch (column.type) {
    case "text":
    case "phase":
      return value;
    case "int": {
      if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`invalid filters: ${field} expects an integer, got ${JSON.stringify(value)}`);
      const n = Number(value);
      // The columns are 32-bit integers; a larger number matches nothing and PostgreSQL would reject it.
      if (n < -2147483648 || n > 2147483647) throw new InvalidArgumentError(`invalid filters: ${field} value ${value} is out of range`);
      return n;
    }
    case "timestamp": {
      const date = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : undefined;
      if (!date || Number.isNaN(date.getTime())) {
        throw new InvalidArgumentError(`invalid filters: timestamp ${JSON.stringify(value)} for ${field} must conform to RFC 3339`);
      }
      return date;
    }
    case "duration":
      return parseDurationMs(value, field);
  }
}

const durationUnits: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Seconds as a bare number, or a Go duration such as `1h30m` or `2.5s`, as flyteadmin accepts. */
function parseDurationMs(value: string, field: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) {
    const ms = Number(value) * 1000;
    if (!(ms <= Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`invalid filters: duration ${JSON.stringify(value)} for ${field} is out of range`);
    return ms;
  }
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    total += Number(m[1]) * durationUnits[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== value.length) throw new InvalidArgumentError(`invalid filters: cannot parse duration ${JSON.stringify(value)} for ${field}`);
  if (!(total <= Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`invalid filters: duration ${JSON.stringify(value)} for ${field} is out of range`);
  return total;
}

function escapeLike(v: string): string {
  return v.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The SQL condition for one filter; the column name comes from the whitelist, every value is a parameter. */
export function filterCondition(f: Filter, target?: Expression<unknown>): Expression<SqlBool> {
  const col = target ?? sql.ref(f.column.sql);
  const v = f.values[0]!;
  switch (f.fn) {
    case "contains":
      return sql<SqlBool>`${col} like ${`%${escapeLike(String(v))}%`}`;
    case "not_like":
      return sql<SqlBool>`${col} not like ${String(v)}`;
    case "gt":
      return sql<SqlBool>`${col} > ${v}`;
    case "gte":
      return sql<SqlBool>`${col} >= ${v}`;
    case "lt":
      return sql<SqlBool>`${col} < ${v}`;
    case "lte":
      return sql<SqlBool>`${col} <= ${v}`;
    case "eq":
      return sql<SqlBool>`${col} = ${v}`;
    case "ne":
      return sql<SqlBool>`${col} <> ${v}`;
    case "value_in":
      return sql<SqlBool>`${col} in (${sql.join(f.values)})`;
    case "value_not_in":
      return sql<SqlBool>`${col} not in (${sql.join(f.values)})`;
  }
}
