// PGlite's autovacuum: tables over PostgreSQL's thresholds are analyzed and vacuumed, others left
// alone, and an open database runs passes on its own.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase, type Database } from "./database.ts";
import { maintainOnce } from "./pglite-maintenance.ts";

const dir = mkdtempSync(join(tmpdir(), "aloft-maintenance-"));
let db: Database;
beforeAll(async () => {
  // Passes only when the test runs them, except in the last test's own database.
  db = await openDatabase({ dataDir: join(dir, "db"), migrations: [], maintenance: false });
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const stats = async (d: Database, table: string) =>
  (
    await sql<{ reltuples: number; dead: number; modified: number }>`
      select c.reltuples::float8 as reltuples, s.n_dead_tup::int8 as dead, s.n_mod_since_analyze::int8 as modified
        from pg_class c join pg_stat_user_tables s on s.relid = c.oid where c.relname = ${table}`.execute(d.kysely)
  ).rows[0]!;

/** PostgreSQL publishes a backend's table counters at most once a second: waits until they show what was done. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it("analyzes a table once enough rows changed, vacuums it once enough are dead, then leaves it alone", async () => {
  await sql`create table m (id int primary key, v int)`.execute(db.kysely);
  await sql`create table quiet (id int primary key)`.execute(db.kysely);
  await sql`insert into m select g, 0 from generate_series(1, 500) g`.execute(db.kysely);
  await sql`insert into quiet values (1)`.execute(db.kysely);
  await sql`analyze quiet`.execute(db.kysely);
  expect((await stats(db, "m")).reltuples).toBe(-1); // never analyzed: the planner guesses
  await until(async () => (await stats(db, "m")).modified === 500, "500 inserted rows in the counters");

  let pass = await maintainOnce(db.kysely);
  expect(pass.analyzed).toContain("m");
  expect(pass.analyzed).not.toContain("quiet");
  expect((await stats(db, "m")).reltuples).toBe(500);

  // Every row updated: 500 dead versions, over 50 + 20% of 500.
  await sql`update m set v = v + 1`.execute(db.kysely);
  await until(async () => (await stats(db, "m")).dead === 500, "500 dead rows in the counters");
  pass = await maintainOnce(db.kysely);
  expect(pass.vacuumed).toEqual(["m"]);
  expect(await stats(db, "m")).toMatchObject({ dead: 0, modified: 0 });

  // Under the thresholds: nothing to do.
  await sql`update m set v = v + 1 where id <= 10`.execute(db.kysely);
  await until(async () => (await stats(db, "m")).dead === 10, "10 dead rows in the counters");
  pass = await maintainOnce(db.kysely);
  expect(pass).toEqual({ vacuumed: [], analyzed: [] });
});

it("an open PGlite database runs passes by itself, and closes cleanly while they run", async () => {
  const own = await openDatabase({ dataDir: join(dir, "own"), migrations: [], maintenance: { intervalMs: 20 } });
  try {
    await sql`create table grows (id int primary key)`.execute(own.kysely);
    await sql`insert into grows select g from generate_series(1, 300) g`.execute(own.kysely);
    const deadline = Date.now() + 10_000;
    while ((await stats(own, "grows")).reltuples !== 300) {
      if (Date.now() > deadline) throw new Error("no maintenance pass analyzed the table within 10 s");
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await own.close();
  }
});
