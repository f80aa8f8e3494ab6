// Reliability: a child process runs the engine on a durable store and is SIGKILLed at random
// moments (at least 20 times); after each restart every execution must resume, finish with the
// right outputs, and no node output recorded before a kill may go missing or change — Flyte 2 child actions
// included: a re-run parent task re-attaches to its finished children (a re-run child would change its output).
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

// 20 kills on both stores. PGlite used to restart in 4–15 s (WASM compile and start-up on the main
// thread), so its default run did 5; in a worker on an existing directory it restarts in ~1.5 s.
// ALOFT_CRASH_KILLS overrides both.
const KILLS = Number(process.env.ALOFT_CRASH_KILLS ?? 20);
const CHILD = fileURLToPath(new URL("./crash-child.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

function start(target: string, blobDir: string, exitWhenDone = false): { child: ChildProcess; started: Promise<void>; done: Promise<string> } {
  // Node itself, not the tsx CLI: the CLI runs the script in a grandchild that a SIGKILL would miss.
  const args = ["--import", "tsx", CHILD, target, blobDir, ...(exitWhenDone ? ["--exit-when-done"] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
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

type Outputs = Map<string, { o: bigint; run: string }>;

/** `run` nonce of every succeeded node output recorded so far, by action key. */
async function recordedOutputs(db: Database, blobDir: string): Promise<Outputs> {
  const rows = await db.kysely.selectFrom("aloft_actions").select(["key", "outputs_uri", "outputs"]).where("phase", "=", "SUCCEEDED").where("kind", "in", ["node", "subtask", "call"]).execute();
  return readOutputs(rows as RecordedRow[], blobDir);
}

/** Outputs are kept in the record when small (`outputs`), else in the blob store (`outputs_uri`). */
interface RecordedRow {
  key: string;
  outputs_uri: string | null;
  outputs: Uint8Array | null;
}

async function outputBytes(r: RecordedRow, blobDir: string): Promise<Uint8Array> {
  if (r.outputs) return r.outputs;
  const bytes = r.outputs_uri ? await blobsOf(blobDir).get(r.outputs_uri) : undefined;
  if (!bytes) throw new Error(`recorded output of ${r.key} is missing: ${r.outputs_uri}`);
  return bytes;
}

/** The same from the RECORDED line a child prints after opening the store (PGlite). */
function outputsFromChild(log: string, blobDir: string): Promise<Outputs> | undefined {
  const line = log.split("\n").find((l) => l.startsWith("RECORDED "));
  if (!line) return undefined;
  const rows = (JSON.parse(line.slice("RECORDED ".length)) as { key: string; outputs_uri: string | null; outputs: string | null }[]).map((r) => ({
    ...r,
    outputs: r.outputs === null ? null : new Uint8Array(Buffer.from(r.outputs, "base64")),
  }));
  return readOutputs(rows, blobDir);
}

async function readOutputs(rows: RecordedRow[], blobDir: string): Promise<Outputs> {
  const out: Outputs = new Map();
  for (const r of rows) {
    const m = fromBinary(core.LiteralMapSchema, await outputBytes(r, blobDir));
    const o = m.literals.o!.value;
    if (o.case === "collection") continue; // the array node itself: its items are checked one by one
    const run = m.literals.run?.value;
    if (o.case !== "scalar" || o.value.value.case !== "primitive" || o.value.value.value.value.case !== "integer") throw new Error("bad o");
    if (run?.case !== "scalar" || run.value.value.case !== "primitive" || run.value.value.value.value.case !== "stringValue") throw new Error("bad run");
    out.set(r.key, { o: o.value.value.value.value.value, run: run.value.value.value.value.value });
  }
  return out;
}

/**
 * Starts the child and SIGKILLs it at a random moment, `kills` times.
 * After each life, the outputs recorded so far (read by `snapshot`, or printed by the next child)
 * must include every one seen before, unchanged.
 */
async function crashLoop(kills_: number, target: string, blobDir: string, snapshot?: () => Promise<Outputs>) {
  const seen: Outputs = new Map();
  const check = (now: Outputs, when: string) => {
    for (const [k, v] of seen) expect(now.get(k), `output of ${k} changed or vanished ${when}`).toEqual(v);
    for (const [k, v] of now) seen.set(k, v);
  };
  let kills = 0;
  let midWork = 0; // kills that hit a child with executions still running
  while (kills < kills_) {
    const p = start(target, blobDir);
    // Kill at a random moment: sometimes while starting up, mostly while executions run.
    const early = Math.random() < 0.2;
    if (!early) await Promise.race([p.started, p.done]);
    await new Promise((r) => setTimeout(r, Math.random() * (early ? 1500 : 400)));
    // The child stays up after DONE, so it can only have exited by failing.
    if (p.child.exitCode !== null) throw new Error(`child failed:\n${await p.done}`);
    p.child.kill("SIGKILL");
    const log = await p.done;
    kills++;
    if (!log.includes("DONE")) midWork++;
    const now = snapshot ? await snapshot() : await outputsFromChild(log, blobDir);
    if (now) check(now, `after kill ${kills}`);
  }
  const last = start(target, blobDir, true);
  const log = await last.done;
  expect(log, log).toContain("DONE");
  const now = snapshot ? await snapshot() : await outputsFromChild(log, blobDir);
  if (now) check(now, "after the last restart");
  console.log(`${target.split(":")[0]}: ${kills} kills, ${midWork} with executions running; ${seen.size} node outputs checked across restarts`);
  return seen;
}

async function verify(db: Database, blobDir: string, seen: Outputs) {
  const work = crashWorkload();
  const final = await recordedOutputs(db, blobDir);
  for (const [k, v] of seen) expect(final.get(k), `output of ${k} changed or vanished`).toEqual(v);
  for (const w of work) {
    const key = `proj/dev/${w.id.name}`;
    const exec = await db.kysely.selectFrom("aloft_executions").select(["phase", "outputs_uri", "outputs"]).where("key", "=", key).executeTakeFirstOrThrow();
    expect(exec.phase).toBe("SUCCEEDED");
    const outs = fromBinary(core.LiteralMapSchema, await outputBytes({ key, ...(exec as Omit<RecordedRow, "key">) }, blobDir));
    const r = outs.literals.r!.value;
    const num = (l: core.Literal) => (l.value.case === "scalar" && l.value.value.value.case === "primitive" ? Number(l.value.value.value.value.value.value) : NaN);
    const actual = r.case === "collection" ? r.value.literals.map(num) : num(outs.literals.r!);
    expect(actual).toEqual(w.expectedOutput);
    for (const [name, expected] of w.expectedNodes) {
      const nodeKey = `${key}/${w.prefix}${name}`;
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

  it(`PGlite: ${KILLS} SIGKILLs, every execution finishes with the right outputs`, { timeout: 240_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "aloft-crash-"));
    try {
      const seen = await crashLoop(KILLS, `pglite:${join(dir, "db")}`, join(dir, "blobs"));
      expect(seen.size).toBeGreaterThan(0);
      const db = await openDatabase({ dataDir: join(dir, "db"), migrations: engineMigrations });
      try {
        await verify(db, join(dir, "blobs"), seen);
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
