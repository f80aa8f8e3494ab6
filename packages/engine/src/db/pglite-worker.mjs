// PGlite on its own thread (see pglite-dialect.ts for the main side). Plain JavaScript, so it loads
// under any loader (the aloft CLI, tsx, vitest) or none. workerData: { dataDir?, loadDataDir?,
// gzipped?, startParams? }. Opens PGlite, then answers { id, sql, params } with
// { id, rows, affectedRows } or { id, error }, and { id, close: true } by closing PGlite.
//
// Statements go to PostgreSQL as node-postgres sends them, not through PGlite's query(): one wire
// protocol message (Parse, Bind, Describe, Execute, Sync) per statement, parameters prepared by
// node-postgres's own rules (untyped text, or binary for bytes), results parsed by node-postgres's
// type parsers. So PGlite answers exactly what the pg pool answers on PostgreSQL, and a statement
// costs one call into PGlite instead of six (PGlite's query() first asks for the parameter types).
// A statement seen twice is kept prepared under a name, so PostgreSQL parses it once.
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import pgUtils from "pg/lib/utils.js";
import { serialize } from "pg-protocol";
import { Parser } from "pg-protocol/dist/parser.js";

const INT8_OID = 20;
const BYTEA_OID = 17;
// Results above this size are moved to the main thread rather than copied.
const TRANSFER_MIN_BYTES = 64 * 1024;
// Prepared statements kept at once; the least recently used is closed past this.
const PREPARED_MAX = 256;

/** ArrayBuffers of the current query's large bytea results, to transfer with its reply. */
let transfers = [];
/** The session's transaction status after the last statement: "I" idle, "T" in a transaction, "E" in a failed one. */
let txStatus = "I";
// Reads run ahead of waiting writes at most this many in a row.
const READ_BURST = 4;

/** A read's statement and parameters as one string, when every parameter is a plain value; otherwise undefined. */
function joinKeyOf(msg) {
  const plain = (v) => v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
  for (const p of msg.params) if (!plain(p) && !(Array.isArray(p) && p.every(plain))) return undefined;
  return `${msg.sql}\u0000${JSON.stringify(msg.params)}`;
}

// int8 as a JS number (same as the pg pool on PostgreSQL: counters and epoch-ms fit in 2^53). bytea
// through Buffer's hex codec into a value that owns its ArrayBuffer (never a pooled one), so it can
// be transferred whole. Every other type: node-postgres's parser.
const parsers = new Map([
  [INT8_OID, (text) => Number(text)],
  [
    BYTEA_OID,
    (text) => {
      // text is "\x" followed by hex digits (bytea_output = hex).
      const bytes = new Uint8Array((text.length - 2) >>> 1);
      Buffer.from(bytes.buffer).write(text.slice(2), "hex");
      if (bytes.byteLength >= TRANSFER_MIN_BYTES) transfers.push(bytes.buffer);
      return bytes;
    },
  ],
]);
const parserOf = (oid) => {
  let p = parsers.get(oid);
  if (!p) parsers.set(oid, (p = pg.types.getTypeParser(oid, "text")));
  return p;
};

// PostgreSQL's error fields (as node-postgres names them); the main side rebuilds the error from them.
const ERROR_FIELDS = [
  "length", "severity", "code", "detail", "hint", "position", "internalPosition", "internalQuery", "where",
  "schema", "table", "column", "dataType", "constraint", "file", "line", "routine",
];

function serializeError(err) {
  if (!(err instanceof Error)) return { message: String(err) };
  const out = { name: err.name, message: err.message, stack: err.stack };
  // A DatabaseError from PostgreSQL carries a severity; anything else (a parameter, WASM) does not.
  if (typeof err.severity === "string") {
    out.database = true;
    for (const f of ERROR_FIELDS) if (err[f] !== undefined) out[f] = err[f];
  }
  return out;
}

// A trap in the WASM code (or Emscripten's abort) leaves PGlite in an unknown state: stop serving.
const isFatal = (err) => err instanceof WebAssembly.RuntimeError || (err instanceof Error && /^Aborted\(/.test(err.message));

/** The cluster tar to start from, if the main side sent one (a new database). */
function startOptions() {
  const { loadDataDir, gzipped } = workerData;
  if (loadDataDir === undefined) return {};
  return { loadDataDir: new Blob([loadDataDir], { type: gzipped ? "application/x-gzip" : "application/x-tar" }) };
}

// Statements that change the schema: once one has run, results of a prepared statement may change
// shape, which PostgreSQL refuses ("cached plan must not change result type"); every one is closed.
const DDL = /^\s*(create|alter|drop|truncate|comment|grant|revoke|reindex)\b/i;
// Affected-row counts as node-postgres reports them (rowCount) and Kysely reads them.
const COUNTED = /^(INSERT \d+|UPDATE|DELETE|MERGE) (\d+)$/;

/** The named statements PostgreSQL holds for this connection, most recently used last. */
class PreparedStatements {
  #byText = new Map(); // sql -> name, in recency order
  #seen = new Map(); // sql seen once -> true, bounded like #byText
  #next = 1;
  /** Names to close with the next message (evicted, or dropped after a schema change). */
  closing = [];

  /** The statement's name if prepared, or a new name to prepare it under, or "" (unnamed: seen once). */
  lookup(text) {
    const name = this.#byText.get(text);
    if (name !== undefined) {
      this.#byText.delete(text);
      this.#byText.set(text, name);
      return { name, parse: false };
    }
    if (!this.#seen.has(text)) {
      if (this.#seen.size >= PREPARED_MAX) this.#seen.delete(this.#seen.keys().next().value);
      this.#seen.set(text, true);
      return { name: "", parse: true };
    }
    return { name: `aloft_${this.#next++}`, parse: true };
  }

  /** PostgreSQL accepted the Parse of `name`. */
  created(text, name) {
    this.#seen.delete(text);
    this.#byText.set(text, name);
    if (this.#byText.size > PREPARED_MAX) {
      const [oldest, oldName] = this.#byText.entries().next().value;
      this.#byText.delete(oldest);
      this.closing.push(oldName);
    }
  }

  forget(text) {
    const name = this.#byText.get(text);
    if (name === undefined) return;
    this.#byText.delete(text);
    this.closing.push(name);
  }

  forgetAll() {
    for (const name of this.#byText.values()) this.closing.push(name);
    this.#byText.clear();
  }
}

async function serve() {
  const { dataDir, startParams } = workerData;
  let db;
  try {
    db = await PGlite.create({
      ...startOptions(),
      ...(dataDir !== undefined ? { dataDir } : {}),
      ...(startParams !== undefined ? { startParams: [...PGlite.defaultStartParams, ...startParams] } : {}),
    });
  } catch (err) {
    parentPort.postMessage({ startError: serializeError(err) });
    return;
  }
  const prepared = new PreparedStatements();

  /** Runs one statement; resolves { rows, affectedRows } or throws PostgreSQL's error. */
  const run = async (text, params) => {
    const values = params.map((p) => pgUtils.prepareValue(p));
    const { name, parse } = prepared.lookup(text);
    const parts = [];
    for (const old of prepared.closing) parts.push(serialize.close({ type: "S", name: old }));
    prepared.closing = [];
    if (parse) parts.push(serialize.parse({ text, name, types: [] }));
    parts.push(serialize.bind({ statement: name, values }), serialize.describe({ type: "P" }), serialize.execute({}), serialize.sync());
    // PGlite's own sync to its filesystem is for browser storage; the node and memory filesystems
    // write through, so there is nothing to sync.
    const reply = await db.execProtocolRaw(Buffer.concat(parts), { syncToFs: false });
    let fields;
    let columns;
    const rows = [];
    let affectedRows;
    let error;
    let parsed = false;
    new Parser().parse(Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength), (m) => {
      switch (m.name) {
        case "parseComplete":
          parsed = true;
          break;
        case "rowDescription":
          fields = m.fields.map((f) => f.name);
          columns = m.fields.map((f) => parserOf(f.dataTypeID));
          break;
        case "dataRow": {
          const row = {};
          for (let i = 0; i < fields.length; i++) {
            const v = m.fields[i];
            row[fields[i]] = v === null ? null : columns[i](v);
          }
          rows.push(row);
          break;
        }
        case "commandComplete": {
          const c = COUNTED.exec(m.text);
          if (c) affectedRows = Number(c[2]);
          break;
        }
        case "error":
          error ??= m;
          break;
        case "readyForQuery":
          txStatus = m.status;
          break;
      }
    });
    if (parsed && name) prepared.created(text, name);
    if (DDL.test(text)) prepared.forgetAll();
    if (error) {
      // 0A000 "cached plan must not change result type": a schema change this connection did not
      // make itself. The statement is prepared anew on its next run.
      if (error.code === "0A000" && name) prepared.forget(text);
      throw error;
    }
    return { rows, affectedRows };
  };

  // One message at a time (PGlite runs one statement at a time anyway), so `transfers` belongs to the
  // query being answered. Reads (`read: true`: single statements outside any transaction, sent without waiting for
  // the connection's lock) go ahead of other messages, but only where no transaction is open on the session: between
  // a borrower's `begin` and its `commit` a read would run inside that transaction. A few reads at most go ahead of
  // waiting writes, so a stream of reads cannot starve them.
  const writes = [];
  const reads = [];
  let busy = false;
  let readStreak = 0;
  /** Reads waiting in `reads`, by statement and parameters: an identical read asked meanwhile joins the waiting one. */
  const waitingReads = new Map();
  const next = () => {
    const idle = txStatus === "I";
    if (idle && reads.length > 0 && (writes.length === 0 || readStreak < READ_BURST)) {
      readStreak++;
      const msg = reads.shift();
      // Once it runs, a read asked later must not join it: it might miss a write that finished in between.
      if (msg.joinKey !== undefined) waitingReads.delete(msg.joinKey);
      return msg;
    }
    readStreak = 0;
    return writes.shift();
  };
  const pump = async () => {
    if (busy) return;
    busy = true;
    try {
      for (;;) {
        // Let the messages that arrived while the last statement ran be queued first, so the choice of the next one
        // sees every waiting read (and identical ones join).
        await new Promise((resolve) => setImmediate(resolve));
        const msg = next();
        if (msg === undefined) break;
        await handle(msg);
      }
    } finally {
      busy = false;
    }
  };
  parentPort.on("message", (msg) => {
    if (msg.read) {
      const key = joinKeyOf(msg);
      const waiting = key === undefined ? undefined : waitingReads.get(key);
      if (waiting) {
        // Not started yet, so its answer is as fresh as this read's own would be: many clients polling the same page
        // cost one statement.
        (waiting.twins ??= []).push(msg.id);
        return;
      }
      if (key !== undefined) {
        msg.joinKey = key;
        waitingReads.set(key, msg);
      }
      reads.push(msg);
    } else writes.push(msg);
    void pump();
  });
  const handle = async (msg) => {
    if (msg.close) {
      try {
        if (!db.closed) await db.close();
        parentPort.postMessage({ id: msg.id, rows: [] });
      } catch (err) {
        parentPort.postMessage({ id: msg.id, error: serializeError(err) });
      }
      return;
    }
    transfers = [];
    let reply;
    // Reads that joined this one while it waited get the same answer (copied; the asker's copy may be transferred).
    const twins = msg.twins ?? [];
    try {
      const r = await run(msg.sql, msg.params);
      reply = { id: msg.id, rows: r.rows, affectedRows: r.affectedRows };
      for (const id of twins) parentPort.postMessage({ ...reply, id });
    } catch (err) {
      for (const id of twins) parentPort.postMessage({ id, error: serializeError(err) });
      parentPort.postMessage({ id: msg.id, error: serializeError(err) });
      if (isFatal(err)) {
        // The main side fails every later query with this error.
        parentPort.postMessage({ fatal: serializeError(err) });
        process.exit(1); // ends this thread only
      }
      return;
    }
    const list = transfers;
    transfers = [];
    try {
      parentPort.postMessage(reply, list);
    } catch (err) {
      parentPort.postMessage({ id: msg.id, error: serializeError(err) });
    }
  };
  parentPort.postMessage({ ready: true });
}

void serve();
