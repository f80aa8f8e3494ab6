// Rows as column arrays through unnest: every type our tables use survives the array encoding
// unchanged, on PGlite and PostgreSQL alike, for 0, 1 and many rows, with one statement text.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompiledQuery, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { columnArrays, upsertSql, type UpsertShape } from "./bulk.ts";
import { openDatabase, type Database } from "./database.ts";
import { createTestPostgres, type TestPostgres } from "./test-database.ts";

const dir = mkdtempSync(join(tmpdir(), "aloft-bulk-"));
let pgServer: TestPostgres;
const dbs: { name: string; db: Database }[] = [];
beforeAll(async () => {
  pgServer = await createTestPostgres();
  dbs.push({ name: "PGlite", db: await openDatabase({ dataDir: join(dir, "db"), migrations: [] }) });
  dbs.push({ name: "PostgreSQL", db: await openDatabase({ url: pgServer.url, migrations: [] }) });
  for (const { db } of dbs) {
    await sql`create table rows (k text primary key, b bytea, j jsonb, i int4, n int8, at timestamptz, flag bool, note text)`.execute(db.kysely);
  }
});
afterAll(async () => {
  for (const { db } of dbs) await db.close();
  await pgServer?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const SHAPE: UpsertShape = {
  table: "rows",
  columns: [["k", "text"], ["b", "bytea"], ["j", "jsonb"], ["i", "int4"], ["n", "int8"], ["at", "timestamptz"], ["flag", "bool"], ["note", "text"]],
  key: ["k"],
  update: ["b", "j", "i", "n", "at", "flag", "note"],
};
const STATEMENT = `${upsertSql(SHAPE, 1)} returning k`;

// Text that an array literal must quote or escape: quotes, backslashes, commas, braces, NULL as a word, blanks, unicode.
const awkward = ['say "hi"', "back\\slash", "a,b", "{braces}", "NULL", "", " padded ", "żółw 🐢", "line\nbreak"];
const rowsFor = (prefix: string) =>
  awkward.map((note, i) => ({
    k: `${prefix}${i}`,
    b: i === 0 ? null : new Uint8Array([0, 1, 92, 34, 123, 125, 44, 255].slice(0, i)),
    j: i === 1 ? null : JSON.stringify({ note, nested: { q: '"', bs: "\\" }, i }),
    i: i - 4,
    n: i === 2 ? null : 2 ** 53 - 1 - i,
    at: i === 3 ? null : new Date(Date.UTC(2026, 10, 25, 12, 0, i, 250)),
    flag: i % 3 === 0 ? null : i % 2 === 0,
    note,
  }));

describe.each([0, 1])("bulk upsert through unnest", (which) => {
  const get = () => dbs[which]!;
  it(`writes every type back unchanged, upserts, and takes empty arrays (${which ? "PostgreSQL" : "PGlite"})`, async () => {
    const { db } = get();
    const rows = rowsFor("r");
    const inserted = await db.kysely.executeQuery(CompiledQuery.raw(STATEMENT, columnArrays(rows, SHAPE.columns)));
    expect((inserted.rows as { k: string }[]).map((r) => r.k).sort()).toEqual(rows.map((r) => r.k).sort());
    const back = (await sql<Record<string, unknown>>`select * from rows where k like 'r%' order by k`.execute(db.kysely)).rows;
    expect(back.map((r) => ({ ...r, b: r.b === null ? null : Array.from(r.b as Uint8Array) }))).toEqual(
      rows.map((r) => ({ ...r, b: r.b === null ? null : Array.from(r.b), j: r.j === null ? null : JSON.parse(r.j) })),
    );
    // The same text with one row updates it; with no rows it does nothing.
    const one = [{ ...rows[4]!, note: "changed", i: 99 }];
    await db.kysely.executeQuery(CompiledQuery.raw(STATEMENT, columnArrays(one, SHAPE.columns)));
    const empty = await db.kysely.executeQuery(CompiledQuery.raw(STATEMENT, columnArrays([], SHAPE.columns)));
    expect(empty.rows).toEqual([]);
    const changed = (await sql<{ note: string; i: number }>`select note, i from rows where k = ${rows[4]!.k}`.execute(db.kysely)).rows;
    expect(changed).toEqual([{ note: "changed", i: 99 }]);
  });
});

it("refuses a row without a value for a column, naming both", () => {
  expect(() => columnArrays([{ k: "x" }], SHAPE.columns)).toThrow("bulk write: row 0 has no value for column b");
});
