import { describe, expect, it } from "vitest";
import { Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, DummyDriver } from "kysely";
import { executionColumns } from "./columns.ts";
import { parseFilters } from "./filters.ts";
import { applyListQuery, parseListQuery } from "./list-query.ts";

// A Kysely that only compiles: enough to see the SQL text and its parameters.
const db = new Kysely<any>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

function compile(filters: string) {
  const q = parseListQuery({ limit: 10, token: "", filters }, executionColumns, "executions");
  return applyListQuery(db.selectFrom("executions").selectAll(), q, { column: "created_at", direction: "desc" }, ["name"]).compile();
}

describe("filter language", () => {
  it("parses flyteadmin's expressions with typed values", () => {
    const f = parseFilters("eq(phase,SUCCEEDED)+gte(created_at,2026-01-01T00:00:00Z)+value_in(mode,0;1)+gt(duration,1m30s)", executionColumns, "executions");
    expect(f.map((x) => [x.fn, x.column.sql, x.values])).toEqual([
      ["eq", "phase", ["SUCCEEDED"]],
      ["gte", "created_at", [new Date("2026-01-01T00:00:00Z")]],
      ["value_in", "mode", [0, 1]],
      ["gt", "duration_ms", [90_000]],
    ]);
  });

  it("maps related-entity fields to the columns kept on the row", () => {
    const f = parseFilters("eq(launch_plan.name,nightly)+contains(workflow.name,etl)", executionColumns, "executions");
    expect(f.map((x) => x.column.sql)).toEqual(["launch_plan_name", "workflow_name"]);
  });

  it("binds every value as a parameter, including injection attempts", () => {
    const { sql, parameters } = compile("eq(name,x' or '1'='1)+contains(user,%_)+value_in(phase,A;B' or 1=1 --)");
    expect(sql).toBe(
      'select * from "executions" where "name" = $1 and "principal" like $2 and "phase" in ($3, $4) order by "created_at" desc, "name" desc limit $5 offset $6',
    );
    expect(parameters).toEqual(["x' or '1'='1", "%\\%\\_%", "A", "B' or 1=1 --", 11, 0]);
  });

  it("rejects a field outside the whitelist, naming it", () => {
    expect(() => parseFilters('eq(name"; drop table x; --,1)', executionColumns, "executions")).toThrow(/cannot parse/);
    expect(() => parseFilters("eq(spec,1)", executionColumns, "executions")).toThrow('"spec" is not a filterable field of executions');
    expect(() => parseFilters("eq(pg_sleep(10),1)", executionColumns, "executions")).toThrow(/cannot parse|not a filterable/);
  });

  it("rejects unknown functions, bad timestamps, bad integers and repeated values for single-value functions", () => {
    expect(() => parseFilters("like(name,x)", executionColumns, "e")).toThrow('unrecognized filter function "like"');
    expect(() => parseFilters("gte(created_at,yesterday)", executionColumns, "e")).toThrow("must conform to RFC 3339");
    expect(() => parseFilters("eq(mode,one)", executionColumns, "e")).toThrow("mode expects an integer");
    expect(() => parseFilters("eq(phase,A;B)", executionColumns, "e")).toThrow("eq takes one value");
    expect(() => parseFilters("gt(duration,5 parsecs)", executionColumns, "e")).toThrow("cannot parse duration");
  });

  it("validates limit, token and sort key", () => {
    expect(() => parseListQuery({ limit: 0, token: "", filters: "" }, executionColumns, "e")).toThrow("limit must be greater than 0");
    expect(() => parseListQuery({ limit: 5, token: "abc", filters: "" }, executionColumns, "e")).toThrow('invalid token "abc"');
    expect(() => parseListQuery({ limit: 5, token: "", filters: "", sortBy: { key: "closure; drop", direction: 0 } as never }, executionColumns, "e")).toThrow(
      "invalid sort_by.key",
    );
    const q = parseListQuery({ limit: 5, token: "10", filters: "", sortBy: { key: "created_at", direction: 1 } as never }, executionColumns, "e");
    expect(q).toMatchObject({ limit: 5, offset: 10, sort: { column: "created_at", direction: "asc" } });
  });
});
