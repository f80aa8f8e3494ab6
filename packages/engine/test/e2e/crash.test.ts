// Reliability: a child process runs the engine on a durable store and is SIGKILLed at random
// moments (at least 20 times); after each restart every execution must resume, finish with the
// right outputs, and no node output recorded before a kill may go missing or change.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fromBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { FileSystemBlobStore } from "@aloft/storage";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { createTestPostgres } from "../../src/db/test-database.ts";
import { engineMigrations } from "../../src/store/migrations.ts";
import { crashWorkload } from "./crash-workload.ts";

// PostgreSQL restarts in about a second, so the default run kills it 20 times. A PGlite restart
// pays the WASM compile (4–15 s on the shared 2-core machines), so the default suite kills it 5
// times and ALOFT_CRASH_FULL=1 (or ALOFT_CRASH_KILLS) runs the full 20.
const KILLS = Number(process.env.ALOFT_CRASH_KILLS ?? 20);
const PGLITE_KILLS = Number(process.env.ALOFT_CRASH_KILLS ?? (process.env.ALOFT_CRASH_FULL ? 20 : 5));
const CHILD = fileURLToPath(new URL("./crash-child.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

function start(target: string, blobDir: string): { child: ChildProcess; started: Promise<void>; done: Promise<string> } {
  // Node itself, not the tsx CLI: the CLI runs the script in a grandchild that a SIGKILL would miss.
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, target, blobDir], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let resolveStarted!: () => void;
  const started = new Promise<void>((r) => (resolveStarted = r));
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.includes("STARTED")) resolveStarted();
  });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<string>((resolve) => child.on("exit", (code, signal) => resolve(`${out}\nexit=${code} signal=${signal}\n${err}`)));
  return { child, started, done };
}

const blobsOf = (dir: string) => new FileSystemBlobStore({ root: `file://${dir}` });

/** `run` nonce of every succeeded node output recorded so far, by action key. */
async function recordedOutputs(db: Database, blobDir: string): Promise<Map<string, { o: bigint; run: string }>> {
  const rows = await db.kysely.selectFrom("aloft_actions").select(["key", "outputs_uri"]).where("phase", "=", "SUCCEEDED").where("kind", "in", ["node", "subtask"]).execute();
  const blobs = blobsOf(blobDir);
  const out = new Map<string, { o: bigint; run: string }>();
  for (const r of rows) {
    const bytes = await blobs.get(r.outputs_uri as string);
    if (!bytes) throw new Error(`recorded output of ${r.key} is missing: ${r.outputs_uri}`);
    const m = fromBinary(core.LiteralMapSchema, bytes);
    const o = m.literals.o!.value;
    if (o.case === "collection") continue; // the array node itself: its items are checked one by one
    const run = m.literals.run?.value;
    if (o.case !== "scalar" || o.value.value.case !== "primitive" || o.value.value.value.value.case !== "integer") throw new Error("bad o");
    if (run?.case !== "scalar" || run.value.value.case !== "primitive" || run.value.value.value.value.case !== "stringValue") throw new Error("bad run");
    out.set(r.key as string, { o: o.value.value.value.value.value, run: run.value.value.value.value.value });
  }
  return out;
}

async function crashLoop(kills_: number, target: string, blobDir: string, snapshot?: () => Promise<Map<string, { o: bigint; run: string }>>) {
  const seen = new Map<string, { o: bigint; run: string }>();
  let kills = 0;
  while (kills < kills_) {
    const p = start(target, blobDir);
    // Kill at a random moment: sometimes while starting up, mostly while executions run.
    const early = Math.random() < 0.2;
    if (!early) await Promise.race([p.started, p.done]);
    await new Promise((r) => setTimeout(r, Math.random() * (early ? 1500 : 400)));
    const finished = p.child.exitCode !== null;
    p.child.kill("SIGKILL");
    const log = await p.done;
    if (finished && !log.includes("DONE")) throw new Error(`child failed:\n${log}`);
    kills++;
    if (snapshot) for (const [k, v] of await snapshot()) {
      const before = seen.get(k);
      if (before) expect(v, `output of ${k} changed after kill ${kills}`).toEqual(before);
      seen.set(k, v);
    }
  }
  const last = start(target, blobDir);
  const log = await last.done;
  expect(log, log).toContain("DONE");
  return seen;
}

async function verify(db: Database, blobDir: string, seen: Map<string, { o: bigint; run: string }>) {
  const work = crashWorkload();
  const final = await recordedOutputs(db, blobDir);
  for (const [k, v] of seen) expect(final.get(k), `output of ${k} changed or vanished`).toEqual(v);
  for (const w of work) {
    const key = `proj/dev/${w.id.name}`;
    const exec = await db.kysely.selectFrom("aloft_executions").select(["phase", "outputs_uri"]).where("key", "=", key).executeTakeFirstOrThrow();
    expect(exec.phase).toBe("SUCCEEDED");
    const outs = fromBinary(core.LiteralMapSchema, (await blobsOf(blobDir).get(exec.outputs_uri as string))!);
    const r = outs.literals.r!.value;
    const num = (l: core.Literal) => (l.value.case === "scalar" && l.value.value.value.case === "primitive" ? Number(l.value.value.value.value.value.value) : NaN);
    const actual = r.case === "collection" ? r.value.literals.map(num) : num(outs.literals.r!);
    expect(actual).toEqual(w.expectedOutput);
    for (const [name, expected] of w.expectedNodes) {
      const nodeKey = w.expectedOutput instanceof Array ? `${key}/map/${name}` : `${key}/${name}`;
      expect(final.get(nodeKey)?.o, nodeKey).toBe(BigInt(expected));
      const attempts = await db.kysely.selectFrom("aloft_attempts").select("phase").where("action", "=", nodeKey).execute();
      expect(attempts.map((a) => a.phase), `attempts of ${nodeKey}`).toContain("SUCCEEDED");
    }
  }
}

describe("engine killed at random moments", () => {
  it(`PostgreSQL: ${KILLS} SIGKILLs, every execution finishes with the right outputs`, { timeout: 240_000 }, async () => {
    const pg = await createTestPostgres("aloft_engine_crash");
    const blobDir = mkdtempSync(join(tmpdir(), "aloft-crash-"));
    const db = await openDatabase({ url: pg.url, migrations: engineMigrations });
    try {
      const seen = await crashLoop(KILLS, `postgres:${pg.url}`, blobDir, () => recordedOutputs(db, blobDir));
      expect(seen.size).toBeGreaterThan(0);
      await verify(db, blobDir, seen);
    } finally {
      await db.close();
      await pg.drop();
      rmSync(blobDir, { recursive: true, force: true });
    }
  });

  it(`PGlite: ${PGLITE_KILLS} SIGKILLs, every execution finishes with the right outputs`, { timeout: 900_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "aloft-crash-"));
    try {
      await crashLoop(PGLITE_KILLS, `pglite:${join(dir, "db")}`, join(dir, "blobs"));
      const db = await openDatabase({ dataDir: join(dir, "db"), migrations: engineMigrations });
      try {
        await verify(db, join(dir, "blobs"), new Map());
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
