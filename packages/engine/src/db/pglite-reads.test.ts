// Reads on the embedded database do not queue behind writes: a plain select skips the connection's lock and the
// worker runs it ahead of queued writes, yet never inside another borrower's open transaction; identical reads that
// wait together are answered by one statement.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompiledQuery, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "./database.ts";
import { PGliteWorker } from "./pglite-dialect.ts";

let db: Database;
beforeAll(async () => {
  db = await openDatabase({ migrations: [], maintenance: false });
  await sql`create table items (id text primary key, n int not null)`.execute(db.kysely);
}, 60_000);
afterAll(async () => db?.close());

const count = async () => Number((await db.kysely.selectFrom("items").select((eb) => eb.fn.countAll().as("c")).executeTakeFirstOrThrow()).c);

describe("reads on PGlite", () => {
  it("never see another borrower's open transaction, and wait for its end rather than run inside it", async () => {
    const before = await count();
    let readDone = false;
    let read: Promise<number> | undefined;
    await db.kysely
      .transaction()
      .execute(async (tx) => {
        await tx.insertInto("items").values({ id: "uncommitted", n: 1 }).execute();
        read = count().then((c) => ((readDone = true), c));
        await new Promise((r) => setTimeout(r, 150));
        // Inside the transaction the read would have answered by now, and seen the row.
        expect(readDone).toBe(false);
        throw new Error("roll back");
      })
      .catch((e: Error) => expect(e.message).toBe("roll back"));
    expect(await read).toBe(before);
  });

  it("go ahead of writes queued for the connection", async () => {
    const order: string[] = [];
    const slowWrite = (name: string) => db.kysely.executeQuery(CompiledQuery.raw("select pg_sleep(0.1)")).then(() => order.push(name));
    const writes = [slowWrite("w1"), slowWrite("w2"), slowWrite("w3"), slowWrite("w4")];
    await new Promise((r) => setTimeout(r, 20));
    const read = count().then(() => order.push("read"));
    await Promise.all([...writes, read]);
    // Behind the lock, the read would have come after all four writes; it waits only for the one running.
    expect(order.indexOf("read")).toBeLessThanOrEqual(1);
  });

  it("run once for identical reads that wait together; a read sent after one started runs again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aloft-pglite-reads-"));
    await (await openDatabase({ dataDir: dir, migrations: [] })).close();
    const worker = await PGliteWorker.start({ dataDir: dir });
    try {
      const busy = worker.query("select pg_sleep(0.2)", []);
      await new Promise((r) => setTimeout(r, 20));
      // clock_timestamp() differs per statement: equal answers mean one statement answered them all.
      const q = () => worker.query<{ t: string }>("select clock_timestamp()::text as t", [], true);
      const joined = await Promise.all([q(), q(), q(), q()]);
      await busy;
      expect(new Set(joined.map((r) => r.rows[0]!.t)).size).toBe(1);
      const other = await worker.query<{ t: string }>("select clock_timestamp()::text as t", [], true);
      expect(other.rows[0]!.t).not.toBe(joined[0]!.rows[0]!.t);
      // Different parameters are different reads.
      const [a, b] = await Promise.all([worker.query<{ v: number }>("select $1::int as v", [1], true), worker.query<{ v: number }>("select $1::int as v", [2], true)]);
      expect([a.rows[0]!.v, b.rows[0]!.v]).toEqual([1, 2]);
    } finally {
      await worker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
