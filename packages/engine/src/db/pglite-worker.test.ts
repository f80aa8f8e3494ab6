// PGlite on its worker thread: errors, isolation, types across the thread boundary, a dying worker,
// and close. Results are compared with PostgreSQL's, since both dialects must answer alike.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CompiledQuery, sql, type Kysely } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "./database.ts";
import { LOCK_FILE_NAME } from "./data-dir-lock.ts";
import { STAGING_DIR_PREFIX } from "./pglite-cluster.ts";
import { PGliteWorker } from "./pglite-dialect.ts";
import { createTestPostgres, type TestPostgres } from "./test-database.ts";

const dir = mkdtempSync(join(tmpdir(), "aloft-pglite-worker-"));
let pgServer: TestPostgres;
let postgres: Database;
let pglite: Database;
beforeAll(async () => {
  pgServer = await createTestPostgres();
  postgres = await openDatabase({ url: pgServer.url, migrations: [] });
  pglite = await openDatabase({ dataDir: join(dir, "shared"), migrations: [] });
  for (const db of [postgres, pglite]) {
    await sql`create table items (id text primary key, n int8 not null, payload bytea, doc jsonb, meta json, at timestamptz, amount numeric, tags text[], flag bool)`.execute(db.kysely);
  }
});
afterAll(async () => {
  await pglite?.close();
  await postgres?.close();
  await pgServer?.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function failureOf(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error("expected the query to fail");
}

describe("errors", () => {
  it("carry PostgreSQL's message, SQLSTATE and fields, as on PostgreSQL", async () => {
    const seen = [];
    for (const db of [pglite, postgres]) {
      await db.kysely.insertInto("items").values({ id: "dup", n: 1 }).execute();
      const err = await failureOf(db.kysely.insertInto("items").values({ id: "dup", n: 2 }).execute());
      expect(err).toBeInstanceOf(pg.DatabaseError);
      const { message, code, constraint, table, detail, severity, schema } = err;
      seen.push({ message, code, constraint, table, detail, severity, schema });
    }
    expect(seen[0]).toEqual({
      message: 'duplicate key value violates unique constraint "items_pkey"',
      code: "23505",
      constraint: "items_pkey",
      table: "items",
      detail: "Key (id)=(dup) already exists.",
      severity: "ERROR",
      schema: "public",
    });
    expect(seen[0]).toEqual(seen[1]);
  });

  it("name the caller in the stack and keep the connection usable", async () => {
    const err = await failureOf(sql`select * from no_such_table`.execute(pglite.kysely));
    expect(err.code).toBe("42P01");
    expect(err.message).toBe('relation "no_such_table" does not exist');
    expect(err.stack).toContain("pglite-worker.test.ts");
    // A failed statement inside a transaction is rolled back with it; the next query works.
    await expect(
      pglite.kysely.transaction().execute(async (tx) => {
        await tx.insertInto("items").values({ id: "in-tx", n: 1 }).execute();
        await sql`select 1/0`.execute(tx);
      }),
    ).rejects.toMatchObject({ code: "22012", message: "division by zero" });
    expect(await pglite.kysely.selectFrom("items").select("id").where("id", "=", "in-tx").execute()).toEqual([]);
  });

  it("report a parameter that cannot cross to the worker instead of hanging", async () => {
    const err = await failureOf(sql`select ${Symbol("not cloneable") as unknown as string}::text`.execute(pglite.kysely));
    expect(err.message).toMatch(/cannot pass the query to the PGlite worker/);
    expect((await sql<{ x: number }>`select 1 as x`.execute(pglite.kysely)).rows).toEqual([{ x: 1 }]);
  });
});

describe("statements", () => {
  const preparedCount = async (text?: string) =>
    Number(
      (
        await sql<{ n: number }>`select count(*)::int8 as n from pg_prepared_statements where ${text === undefined ? sql`true` : sql`statement = ${text}`}`.execute(pglite.kysely)
      ).rows[0]!.n,
    );

  it("keeps a statement it has seen twice prepared, and closes the least recently used past 256", async () => {
    const text = "select $1::int8 + 1 as v /* prepared-once */";
    for (let i = 0; i < 3; i++) expect((await pglite.kysely.executeQuery(CompiledQuery.raw(text, [i]))).rows).toEqual([{ v: i + 1 }]);
    expect(await preparedCount(text)).toBe(1);
    // Once is not enough: a statement run a single time is not kept.
    await pglite.kysely.executeQuery(CompiledQuery.raw("select 2 as v /* seen-once */", []));
    expect(await preparedCount("select 2 as v /* seen-once */")).toBe(0);
    for (let i = 0; i < 300; i++) for (let k = 0; k < 2; k++) await pglite.kysely.executeQuery(CompiledQuery.raw(`select ${i} as v /* many */`, []));
    expect(await preparedCount()).toBeLessThanOrEqual(256);
    expect(await preparedCount(text)).toBe(0); // the oldest went first
    expect(await preparedCount("select 299 as v /* many */")).toBe(1);
  });

  it("answers a prepared select * with the table's new columns after a schema change", async () => {
    await sql`create table shapes (a int)`.execute(pglite.kysely);
    await sql`insert into shapes values (1)`.execute(pglite.kysely);
    const all = CompiledQuery.raw("select * from shapes", []);
    for (let i = 0; i < 2; i++) expect((await pglite.kysely.executeQuery(all)).rows).toEqual([{ a: 1 }]);
    await sql`alter table shapes add column b text default 'x'`.execute(pglite.kysely);
    // PostgreSQL refuses a prepared statement whose result shape changed; the worker prepares it anew.
    expect((await pglite.kysely.executeQuery(all)).rows).toEqual([{ a: 1, b: "x" }]);
  });

  it("recovers from statements refused inside a failed transaction, and from a syntax error", async () => {
    const text = "select 'after' as v /* in-aborted-tx */";
    await pglite.kysely.executeQuery(CompiledQuery.raw(text, [])); // seen once: its next run is prepared
    await expect(
      pglite.kysely.transaction().execute(async (tx) => {
        await sql`select 1/0`.execute(tx).catch(() => {});
        await tx.executeQuery(CompiledQuery.raw(text, []));
      }),
    ).rejects.toMatchObject({ code: "25P02" });
    for (let i = 0; i < 2; i++) expect((await pglite.kysely.executeQuery(CompiledQuery.raw(text, []))).rows).toEqual([{ v: "after" }]);
    for (let i = 0; i < 2; i++) expect(await failureOf(sql`selec 1`.execute(pglite.kysely))).toMatchObject({ code: "42601" });
    expect((await sql<{ x: number }>`select 1 as x`.execute(pglite.kysely)).rows).toEqual([{ x: 1 }]);
  });

  it("reports affected rows for writes as node-postgres does, and none for a select", async () => {
    for (const db of [pglite, postgres]) {
      const ins = await db.kysely.executeQuery(CompiledQuery.raw("insert into items (id, n) values ('ar1', 1), ('ar2', 2)", []));
      const upd = await db.kysely.executeQuery(CompiledQuery.raw("update items set n = n + 1 where id like 'ar%'", []));
      const del = await db.kysely.executeQuery(CompiledQuery.raw("delete from items where id = 'ar1'", []));
      const sel = await db.kysely.executeQuery(CompiledQuery.raw("select * from items where id like 'ar%'", []));
      expect([ins.numAffectedRows, upd.numAffectedRows, del.numAffectedRows]).toEqual([2n, 2n, 1n]);
      expect(sel.numAffectedRows).toBeUndefined();
    }
  });

  it("sends bytes as bytes, into bytea and into text alike", async () => {
    const seen = [];
    for (const db of [pglite, postgres]) {
      const r = await db.kysely.executeQuery<{ b: Uint8Array; t: string }>(CompiledQuery.raw("select $1::bytea as b, $2::text as t", [new Uint8Array([0, 255, 92]), Buffer.from("żółw")]));
      seen.push({ b: Array.from(r.rows[0]!.b), t: r.rows[0]!.t });
    }
    expect(seen[0]).toEqual({ b: [0, 255, 92], t: "żółw" });
    expect(seen[1]).toEqual(seen[0]);
  });
});

describe("transactions", () => {
  it("two concurrent read-modify-write transactions do not interleave", async () => {
    await pglite.kysely.insertInto("items").values({ id: "counter", n: 0 }).execute();
    const bump = (db: Kysely<any>) =>
      db.transaction().execute(async (tx) => {
        const { n } = await tx.selectFrom("items").select("n").where("id", "=", "counter").executeTakeFirstOrThrow();
        // Yield so the other transaction would get its statements in here if the connection were shared.
        await new Promise((r) => setTimeout(r, 20));
        await tx.updateTable("items").set({ n: n + 1 }).where("id", "=", "counter").execute();
      });
    await Promise.all([bump(pglite.kysely), bump(pglite.kysely), bump(pglite.kysely)]);
    const { n } = await pglite.kysely.selectFrom("items").select("n").where("id", "=", "counter").executeTakeFirstOrThrow();
    expect(n).toBe(3);
  });
});

describe("types across the thread boundary", () => {
  const large = new Uint8Array(200_000).map((_, i) => (i * 7) % 256); // above the transfer threshold
  const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
  const rows = [
    {
      id: "full",
      n: 2 ** 53 - 1,
      payload: large,
      doc: JSON.stringify({ a: [1, "two", null, { b: true }], unicode: "żółw 🐢" }),
      meta: JSON.stringify({ x: 1.5 }),
      at: new Date("2026-11-25T12:34:56.789Z"),
      amount: "12345678901234567890.123",
      tags: ["a", "b c", ""],
      flag: true,
    },
    // A view into a larger buffer: only the viewed bytes may be stored.
    { id: "view", n: -42, payload: backing.subarray(2, 5), doc: null, meta: null, at: null, amount: null, tags: null, flag: false },
    { id: "empty", n: 0, payload: new Uint8Array(0), doc: "[]", meta: '"s"', at: null, amount: "0", tags: [], flag: null },
  ];

  it("returns the same values as PostgreSQL: bytea, json, jsonb, int8, timestamptz, numeric, arrays, null", async () => {
    const results = [];
    for (const db of [pglite, postgres]) {
      await db.kysely.insertInto("items").values(rows).execute();
      results.push(
        await db.kysely
          .selectFrom("items")
          .select(["id", "n", "payload", "doc", "meta", "at", "amount", "tags", "flag"])
          .where("id", "in", ["full", "view", "empty"])
          .orderBy("id")
          .execute(),
      );
    }
    const [lite, real] = results as unknown as [Record<string, unknown>[], Record<string, unknown>[]];
    const full = lite.find((r) => r.id === "full")!;
    expect(full.n).toBe(2 ** 53 - 1);
    expect(full.payload).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(full.payload as Uint8Array).equals(Buffer.from(large))).toBe(true);
    expect(full.doc).toEqual({ a: [1, "two", null, { b: true }], unicode: "żółw 🐢" });
    expect(full.meta).toEqual({ x: 1.5 });
    expect(full.at).toEqual(new Date("2026-11-25T12:34:56.789Z"));
    expect(full.amount).toBe("12345678901234567890.123");
    expect(full.tags).toEqual(["a", "b c", ""]);
    const view = lite.find((r) => r.id === "view")!;
    expect(Array.from(view.payload as Uint8Array)).toEqual([1, 2, 3]);
    expect(view.n).toBe(-42);
    expect(view.doc).toBeNull();
    expect(Array.from(lite.find((r) => r.id === "empty")!.payload as Uint8Array)).toEqual([]);
    // PostgreSQL (node-postgres) returns bytea as Buffer; compare the bytes, everything else as is.
    const plain = (rs: Record<string, unknown>[]) =>
      rs.map((r) => ({ ...r, payload: r.payload ? Array.from(r.payload as Uint8Array) : r.payload }));
    expect(plain(lite)).toEqual(plain(real));
    expect(backing).toEqual(new Uint8Array([9, 9, 1, 2, 3, 9])); // the caller's buffer is untouched
  });

  it("counts affected rows and parses int8 aggregates as numbers", async () => {
    await pglite.kysely.insertInto("items").values([{ id: "c1", n: 1 }, { id: "c2", n: 2 }]).execute();
    const r = await pglite.kysely.updateTable("items").set({ n: 5 }).where("id", "in", ["c1", "c2"]).executeTakeFirstOrThrow();
    expect(r.numUpdatedRows).toBe(2n);
    const { c } = await pglite.kysely.selectFrom("items").select((eb) => eb.fn.countAll<number>().as("c")).where("id", "in", ["c1", "c2"]).executeTakeFirstOrThrow();
    expect(c).toBe(2);
  });
});

describe("a worker that dies", () => {
  it("fails the pending query and every later one with an error naming it", async () => {
    const dataDir = join(dir, "dies");
    await (await openDatabase({ dataDir, migrations: [] })).close();
    const worker = await PGliteWorker.start({ dataDir });
    // Busy in WASM for a while, so the query is still running when the thread ends.
    const pending = worker.query("select count(*) from generate_series(1, 300000000)", []);
    await new Promise((r) => setTimeout(r, 200));
    await worker.terminate();
    await expect(pending).rejects.toThrow("PGlite worker exited unexpectedly (exit code 1)");
    await expect(worker.query("select 1", [])).rejects.toThrow("PGlite worker exited unexpectedly (exit code 1)");
    await worker.close(); // nothing left to close; must not hang or throw
  });

  it("finishes a query sent before close, and fails those after as closed", async () => {
    const dataDir = join(dir, "closed");
    await (await openDatabase({ dataDir, migrations: [] })).close();
    const worker = await PGliteWorker.start({ dataDir });
    const inFlight = worker.query<{ x: number }>("select 1 as x", []);
    const closing = worker.close();
    expect((await inFlight).rows).toEqual([{ x: 1 }]);
    await closing;
    await expect(worker.query("select 1", [])).rejects.toThrow("the PGlite database is closed");
  });
});

describe("a new data directory", () => {
  it("recovers from an initialization killed half-way (no PG_VERSION yet): rebuilt, leftovers replaced", async () => {
    const dataDir = join(dir, "half");
    // What a kill during the move leaves: a staging directory and some cluster entries, no PG_VERSION.
    mkdirSync(join(dataDir, `${STAGING_DIR_PREFIX}999999`, "base"), { recursive: true });
    mkdirSync(join(dataDir, "global"), { recursive: true });
    writeFileSync(join(dataDir, "global", "pg_control"), "torn");
    writeFileSync(join(dataDir, "postgresql.conf"), "torn");
    const db = await openDatabase({ dataDir, migrations: [] });
    try {
      await sql`create table t (x int)`.execute(db.kysely);
      expect((await sql<{ n: number }>`select count(*)::int8 as n from t`.execute(db.kysely)).rows).toEqual([{ n: 0 }]);
      expect(readdirSync(dataDir).filter((n) => n.startsWith(STAGING_DIR_PREFIX))).toEqual([]);
      expect(existsSync(join(dataDir, "PG_VERSION"))).toBe(true);
    } finally {
      await db.close();
    }
  });
});

describe("close", () => {
  const script = (body: string) => `
    const { openDatabase } = await import(${JSON.stringify(new URL("./database.ts", import.meta.url).href)});
    const { sql } = await import("kysely");
    const db = await openDatabase({ dataDir: process.argv[1], migrations: [] });
    await sql\`create table if not exists t (x int)\`.execute(db.kysely);
    ${body}
  `;
  const run = (body: string, dataDir: string) =>
    spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script(body), dataDir], {
      cwd: fileURLToPath(new URL("../../../../", import.meta.url)),
      encoding: "utf8",
      timeout: 90_000, // a process kept alive by the worker would be killed here and fail below
    });

  it("releases the data directory lock and lets the process exit", async () => {
    const dataDir = join(dir, "exit");
    const r = run(
      `await db.close();
       const { existsSync } = await import("node:fs");
       console.log("closed", existsSync(process.argv[1] + "/${LOCK_FILE_NAME}"));`,
      dataDir,
    );
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("closed false");
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);
    expect(readdirSync(dataDir).filter((n) => n.startsWith(".aloft-initdb"))).toEqual([]);
  });

  it("an idle open database does not keep the process alive, as in-process PGlite did not", async () => {
    const dataDir = join(dir, "idle");
    const r = run(`await sql\`insert into t values (1)\`.execute(db.kysely); console.log("done");`, dataDir);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    // The write reached the files before the process ended, and the dead owner's lock is taken over.
    const db = await openDatabase({ dataDir, migrations: [] });
    try {
      expect((await sql<{ x: number }>`select x from t`.execute(db.kysely)).rows).toEqual([{ x: 1 }]);
    } finally {
      await db.close();
    }
  });
});
