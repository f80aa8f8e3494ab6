// Filters, sort order and token pagination for list endpoints, applied to any Kysely select. Tokens are row
// offsets in decimal, as flyteadmin issues them; an empty next token means the last page.
import { sql, type SelectQueryBuilder } from "kysely";
import { admin } from "@aloft/idl";
import { InvalidArgumentError } from "../errors.ts";
import { filterCondition, parseFilters, type Filter } from "./filters.ts";
import type { EntityColumns } from "./columns.ts";

export const MAX_LIMIT = 10_000;

export interface ListRequestLike {
  limit: number;
  token: string;
  filters: string;
  sortBy?: admin.Sort | undefined;
}

export interface ListQuery {
  filters: Filter[];
  limit: number;
  offset: number;
  sort?: { column: string; direction: "asc" | "desc" } | undefined;
}

export function parseListQuery(req: ListRequestLike, columns: EntityColumns, entity: string, options: { requireLimit?: boolean } = {}): ListQuery {
  if (req.limit <= 0 && options.requireLimit !== false) throw new InvalidArgumentError("limit must be greater than 0");
  if (req.limit > MAX_LIMIT) throw new InvalidArgumentError(`limit must be at most ${MAX_LIMIT}`);
  let offset = 0;
  if (req.token !== "") {
    if (!/^\d+$/.test(req.token)) throw new InvalidArgumentError(`invalid token ${JSON.stringify(req.token)}: expected the token of a previous page`);
    offset = Number(req.token);
    // Beyond this the offset is no longer exact (and beyond 2^63 PostgreSQL refuses it): no page lies there.
    if (!Number.isSafeInteger(offset)) throw new InvalidArgumentError(`invalid token ${JSON.stringify(req.token)}: out of range`);
  }
  let sort: ListQuery["sort"];
  if (req.sortBy && req.sortBy.key !== "") {
    const column = columns[req.sortBy.key];
    if (!column) throw new InvalidArgumentError(`invalid sort_by.key ${JSON.stringify(req.sortBy.key)}: not a sortable field of ${entity}`);
    sort = { column: column.sql, direction: req.sortBy.direction === admin.Sort_Direction.ASCENDING ? "asc" : "desc" };
  }
  return { filters: parseFilters(req.filters, columns, entity), limit: req.limit > 0 ? req.limit : MAX_LIMIT, offset, sort };
}

/** Adds WHERE conditions, ORDER BY (the requested key, then a stable tie-breaker) and LIMIT/OFFSET. */
export function applyListQuery<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  q: ListQuery,
  defaultSort: { column: string; direction: "asc" | "desc" },
  tieBreaker: string[],
): SelectQueryBuilder<DB, TB, O> {
  let out = qb;
  for (const f of q.filters) out = out.where(filterCondition(f));
  const sort = q.sort ?? defaultSort;
  out = out.orderBy(sql.ref(sort.column), sort.direction);
  for (const c of tieBreaker) out = out.orderBy(sql.ref(c), sort.direction);
  // One extra row tells whether a next page exists without a count query.
  return out.limit(q.limit + 1).offset(q.offset);
}

/** Trims the look-ahead row and returns the next page's token. */
export function page<T>(rows: T[], q: ListQuery): { rows: T[]; token: string } {
  if (rows.length > q.limit) return { rows: rows.slice(0, q.limit), token: String(q.offset + q.limit) };
  return { rows, token: "" };
}
