import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "./database.ts";
import { classifyFault, StoreFaultError } from "./faults.ts";
import { createTestPostgres, POSTGRES_ADMIN_URL, startTcpProxy, type TestPostgres, type TcpProxy } from "./test-database.ts";

function errno(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("classifyFault", () => {
  it("turns a full disk into RESOURCE_EXHAUSTED naming the store, not the path", () => {
    const f = classifyFault(errno("ENOSPC", "ENOSPC: no space left on device, write '/srv/aloft/blobs/metadata/x/inputs.pb'"), "blob store");
    expect(f?.code).toBe("RESOURCE_EXHAUSTED");
    expect(f?.message).toBe("blob store is out of space; retry in 5 s");
    expect(f?.message).not.toContain("/srv");
  });

  it("turns a read-only filesystem and a refused connection into UNAVAILABLE", () => {
    expect(classifyFault(errno("EROFS", "EROFS: read-only file system, open '/x'"), "blob store")?.message).toBe("blob store is read-only; retry in 1 s");
    const refused = classifyFault(errno("ECONNREFUSED", "connect ECONNREFUSED 10.0.0.5:5432"), "database");
    expect(refused?.code).toBe("UNAVAILABLE");
    expect(refused?.message).not.toContain("10.0.0.5");
  });

  it("knows PostgreSQL's connection SQLSTATEs and pg's connection messages", () => {
    expect(classifyFault(errno("57P01", "terminating connection due to administrator command"), "database")?.code).toBe("UNAVAILABLE");
    expect(classifyFault(errno("08006", "connection failure"), "database")?.code).toBe("UNAVAILABLE");
    expect(classifyFault(errno("53100", "could not extend file"), "database")?.code).toBe("RESOURCE_EXHAUSTED");
    expect(classifyFault(new Error("Connection terminated unexpectedly"), "database")?.code).toBe("UNAVAILABLE");
  });

  it("leaves other errors alone", () => {
    expect(classifyFault(errno("23505", "duplicate key value violates unique constraint"), "database")).toBeUndefined();
    expect(classifyFault(errno("ENOENT", "no such file"), "blob store")).toBeUndefined();
    expect(classifyFault(new TypeError("x is undefined"), "database")).toBeUndefined();
  });
});

describe("PostgreSQL faults", () => {
  let pgdb: TestPostgres;
  let proxy: TcpProxy;
  let db: Database;
  const warnings: string[] = [];
  beforeAll(async () => {
    pgdb = await createTestPostgres("aloft_faults");
    proxy = await startTcpProxy(`${new URL(POSTGRES_ADMIN_URL).hostname}:${new URL(POSTGRES_ADMIN_URL).port || 5432}`);
    db = await openDatabase({ url: proxy.via(pgdb.url), migrations: [], connectTimeoutMs: 1000, onWarning: (m) => warnings.push(m) });
  });
  afterAll(async () => {
    await db?.close();
    await proxy?.close();
    await pgdb?.drop();
  });

  it("survives PostgreSQL ending an idle pooled connection, and the next statement reconnects", async () => {
    await sql`select 1`.execute(db.kysely);
    const dbName = new URL(pgdb.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query("select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [dbName]);
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    // Without a pool 'error' listener the idle client's error is an uncaught exception, which fails this test.
    for (let i = 0; i < 100 && warnings.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(warnings[0]).toMatch(/PostgreSQL closed an idle connection/);
    const { rows } = await sql<{ n: number }>`select 2 as n`.execute(db.kysely);
    expect(rows[0]!.n).toBe(2);
  });

  it("reports UNAVAILABLE naming the database while it is unreachable, and recovers by itself", async () => {
    await db.ping();
    expect(db.health.reachable).toBe(true);
    await proxy.cut();
    const err = await sql`select 1`.execute(db.kysely).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreFaultError);
    expect((err as StoreFaultError).code).toBe("UNAVAILABLE");
    expect((err as StoreFaultError).message).toMatch(/^database is unreachable/);
    expect((err as StoreFaultError).message).not.toContain(String(proxy.port));
    expect(db.health.reachable).toBe(false);
    await expect(db.ping(500)).rejects.toBeInstanceOf(StoreFaultError);
    await proxy.restore();
    await db.ping();
    expect(db.health.reachable).toBe(true);
    expect(db.health.lastFault).toBeUndefined();
  });
});
