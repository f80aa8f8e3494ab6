import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataDirLockedError, MigrationError } from "../errors.ts";
import { openDatabase, type Database } from "./database.ts";
import { LOCK_FILE_NAME } from "./data-dir-lock.ts";
import type { Migration } from "./migrations.ts";
import { createTestPostgres, type TestPostgres } from "./test-database.ts";

// Each test uses its own package and table names so one database per dialect serves the file
// (a PGlite instance takes seconds to create).
let counter = 0;
function widgetMigrations() {
  const n = ++counter;
  const pkg = `@test/widgets${n}`;
  const table = `widgets${n}`;
  const v1: Migration[] = [
    {
      package: pkg,
      version: 1,
      name: "create widgets",
      up: async (db) => {
        await db.schema
          .createTable(table)
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("n", "int8", (c) => c.notNull())
          .addColumn("payload", "bytea")
          .execute();
      },
    },
  ];
  const v2: Migration[] = [
    ...v1,
    {
      package: pkg,
      version: 2,
      name: "add colour",
      up: async (db) => {
        await db.schema.alterTable(table).addColumn("colour", "text").execute();
      },
    },
  ];
  return { pkg, table, v1, v2 };
}

// The same behaviour on both dialects: one suite, run twice.
function dialectSuite(name: string, openShared: () => Promise<Database>) {
  describe(name, () => {
    let db: Database;
    beforeAll(async () => {
      db = await openShared();
    });
    afterAll(async () => {
      await db?.close();
    });

    it("applies migrations once, tracked per package, and runs the same queries", async () => {
      const { pkg, table, v1, v2 } = widgetMigrations();
      expect((await db.migrate(v1)).map((m) => m.version)).toEqual([1]);
      expect(await db.migrate(v1)).toEqual([]);
      expect((await db.migrate(v2)).map((m) => m.version)).toEqual([2]);
      await db.kysely
        .insertInto(table)
        .values({ id: "a", n: 2 ** 40, payload: new Uint8Array([1, 2, 3]), colour: "red" })
        .execute();
      const row = await db.kysely.selectFrom(table).selectAll().executeTakeFirstOrThrow();
      expect(row.n).toBe(2 ** 40);
      expect(Array.from(row.payload as Uint8Array)).toEqual([1, 2, 3]);
      expect(row.colour).toBe("red");
      const tracked = await db.kysely
        .selectFrom("aloft_schema_migrations")
        .select(["package", "version"])
        .where("package", "=", pkg)
        .orderBy("version")
        .execute();
      expect(tracked).toEqual([
        { package: pkg, version: 1 },
        { package: pkg, version: 2 },
      ]);
    });

    it("rolls a failed transaction back and keeps concurrent transactions isolated", async () => {
      const { table, v1 } = widgetMigrations();
      await db.migrate(v1);
      await expect(
        db.kysely.transaction().execute(async (tx) => {
          await tx.insertInto(table).values({ id: "rolled-back", n: 1 }).execute();
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      // Two transactions at once plus a plain query: each must see only committed or own writes.
      const t1 = db.kysely.transaction().execute(async (tx) => {
        await tx.insertInto(table).values({ id: "t1", n: 1 }).execute();
        await new Promise((r) => setTimeout(r, 20));
        const n = await tx.selectFrom(table).select("id").where("id", "like", "t%").execute();
        return n.map((r) => r.id);
      });
      const t2 = db.kysely.transaction().execute(async (tx) => {
        await tx.insertInto(table).values({ id: "t2", n: 2 }).execute();
        throw new Error("t2 fails");
      });
      const plain = db.kysely.selectFrom(table).select("id").execute();
      await expect(t2).rejects.toThrow("t2 fails");
      expect(await t1).toEqual(["t1"]);
      expect((await plain).map((r) => r.id)).not.toContain("rolled-back");
      const all = (await db.kysely.selectFrom(table).select("id").execute()).map((r) => r.id).sort();
      expect(all).toEqual(["t1"]);
    });

    it("rejects a migration list with a duplicate version, naming the package", async () => {
      const { pkg, v1 } = widgetMigrations();
      await expect(db.migrate([...v1, { ...v1[0]!, name: "again" }])).rejects.toThrow(
        `${pkg} lists migration version 1 twice`,
      );
    });

    it("reports a migration renamed after it was applied, and a database newer than the code", async () => {
      const { v1, v2 } = widgetMigrations();
      await db.migrate(v2);
      await expect(db.migrate([{ ...v1[0]!, name: "renamed" }, v2[1]!])).rejects.toThrow(
        /was applied as "create widgets" but the code now names it "renamed"/,
      );
      await expect(db.migrate(v1)).rejects.toBeInstanceOf(MigrationError);
    });

    it("wraps a failing migration and leaves no trace of it", async () => {
      const { pkg, v1 } = widgetMigrations();
      const bad: Migration = {
        package: pkg,
        version: 2,
        name: "bad",
        up: async (d) => {
          await d.schema.createTable(`half${counter}`).addColumn("x", "text").execute();
          await sql`select * from no_such_table`.execute(d);
        },
      };
      await expect(db.migrate([...v1, bad])).rejects.toThrow(`${pkg} migration 2 "bad" failed`);
      const half = await sql<{ t: string | null }>`select to_regclass(${`half${counter}`}) as t`.execute(db.kysely);
      expect(half.rows[0]!.t).toBeNull();
    });
  });
}

let pgServer: TestPostgres;
beforeAll(async () => {
  pgServer = await createTestPostgres();
});
afterAll(async () => {
  await pgServer?.drop();
});

dialectSuite("PostgreSQL", () => openDatabase({ url: pgServer.url, migrations: [] }));
dialectSuite("PGlite (in memory)", () => openDatabase({ migrations: [] }));

describe("PGlite data directory", () => {
  const dir = mkdtempSync(join(tmpdir(), "aloft-db-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("persists across reopen and refuses a second owner while open", async () => {
    const dataDir = join(dir, "persist");
    const { table, v1 } = widgetMigrations();
    const db = await openDatabase({ dataDir, migrations: v1 });
    await db.kysely.insertInto(table).values({ id: "kept", n: 7 }).execute();
    expect(readFileSync(join(dataDir, LOCK_FILE_NAME), "utf8").trim()).toBe(String(process.pid));
    await expect(openDatabase({ dataDir, migrations: v1 })).rejects.toBeInstanceOf(DataDirLockedError);
    await db.close();
    const again = await openDatabase({ dataDir, migrations: v1 });
    try {
      const row = await again.kysely.selectFrom(table).select("n").executeTakeFirstOrThrow();
      expect(row.n).toBe(7);
    } finally {
      await again.close();
    }
  });

  it("takes over a lock left by a dead process", async () => {
    const dataDir = join(dir, "stale");
    mkdirSync(dataDir, { recursive: true });
    // A pid that certainly exited: a child we ran to completion.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    writeFileSync(join(dataDir, LOCK_FILE_NAME), `${dead}\n`);
    const reopened = await openDatabase({ dataDir, migrations: [] });
    expect(readFileSync(join(dataDir, LOCK_FILE_NAME), "utf8").trim()).toBe(String(process.pid));
    await reopened.close();
  });

  it("rejects url and dataDir together", async () => {
    await expect(openDatabase({ url: "postgres://x/y", dataDir: dir, migrations: [] })).rejects.toThrow(
      /dataDir: must not be set together with url/,
    );
  });
});
