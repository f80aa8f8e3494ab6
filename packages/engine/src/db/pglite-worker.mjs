// PGlite on its own thread (see pglite-dialect.ts for the main side). Plain JavaScript, so it loads
// under any loader (the aloft CLI, tsx, vitest) or none. workerData: { dataDir?, loadDataDir?,
// gzipped?, startParams? }. Opens PGlite, then answers { id, sql, params } with
// { id, rows, affectedRows } or { id, error }, and { id, close: true } by closing PGlite.
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";

const INT8_OID = 20;
const BYTEA_OID = 17;
// Results above this size are moved to the main thread rather than copied.
const TRANSFER_MIN_BYTES = 64 * 1024;

/** ArrayBuffers of the current query's large bytea results, to transfer with its reply. */
let transfers = [];

// int8 as a JS number (same as the pg pool on PostgreSQL: counters and epoch-ms fit in 2^53). bytea
// through Buffer's hex codec: PGlite's own goes digit pair by digit pair, slow on large values. Each
// value owns its ArrayBuffer (never a pooled one), so it can be transferred whole.
const parsers = {
  [INT8_OID]: (text) => Number(text),
  [BYTEA_OID]: (text) => {
    // text is "\x" followed by hex digits (bytea_output = hex).
    const bytes = new Uint8Array((text.length - 2) >>> 1);
    Buffer.from(bytes.buffer).write(text.slice(2), "hex");
    if (bytes.byteLength >= TRANSFER_MIN_BYTES) transfers.push(bytes.buffer);
    return bytes;
  },
};
const serializers = {
  [BYTEA_OID]: (value) => {
    if (!(value instanceof Uint8Array)) throw new Error("Invalid input for bytea type");
    return "\\x" + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex");
  },
};

// PostgreSQL's error fields (as node-postgres names them); the main side rebuilds the error from them.
const ERROR_FIELDS = [
  "length", "severity", "code", "detail", "hint", "position", "internalPosition", "internalQuery", "where",
  "schema", "table", "column", "dataType", "constraint", "file", "line", "routine",
];

function serializeError(err) {
  if (!(err instanceof Error)) return { message: String(err) };
  const out = { name: err.name, message: err.message, stack: err.stack };
  // A DatabaseError from PostgreSQL carries a severity; anything else (a serializer, WASM) does not.
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

async function serve() {
  const { dataDir, startParams } = workerData;
  let pg;
  try {
    pg = await PGlite.create({
      ...startOptions(),
      ...(dataDir !== undefined ? { dataDir } : {}),
      ...(startParams !== undefined ? { startParams: [...PGlite.defaultStartParams, ...startParams] } : {}),
      parsers,
      serializers,
    });
  } catch (err) {
    parentPort.postMessage({ startError: serializeError(err) });
    return;
  }
  // One message at a time (PGlite runs one query at a time anyway), so `transfers` belongs to the
  // query being answered.
  let queue = Promise.resolve();
  parentPort.on("message", (msg) => {
    queue = queue.then(() => handle(msg));
  });
  const handle = async (msg) => {
    if (msg.close) {
      try {
        if (!pg.closed) await pg.close();
        parentPort.postMessage({ id: msg.id, rows: [] });
      } catch (err) {
        parentPort.postMessage({ id: msg.id, error: serializeError(err) });
      }
      return;
    }
    transfers = [];
    let reply;
    try {
      const r = await pg.query(msg.sql, msg.params, { rowMode: "object" });
      reply = { id: msg.id, rows: r.rows, affectedRows: r.affectedRows };
    } catch (err) {
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
