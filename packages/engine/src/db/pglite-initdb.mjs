// Child process that builds a new PGlite cluster (see pglite-cluster.ts). Plain JavaScript, so it
// runs under plain node whatever loader the parent uses. A separate process rather than a worker
// thread: initdb grows the heap to ~800 MiB, and a worker's WASM heap is freed at its end but the
// malloc arenas it fragmented are not (~150 MiB stayed in the parent's RSS); a process gives all back.
// Receives one message { dataDir?, loadDataDir?, gzipped?, dumpTar? }, replies { tar? } or { error }.
import { gzipSync } from "node:zlib";
import { PGlite } from "@electric-sql/pglite";

// The parent went away (killed): stop instead of writing on into its staging directory.
process.on("disconnect", () => process.exit(1));

process.once("message", async ({ dataDir, loadDataDir, gzipped, dumpTar }) => {
  try {
    const pg = await PGlite.create({
      ...(dataDir !== undefined ? { dataDir } : {}),
      ...(loadDataDir !== undefined
        ? { loadDataDir: new Blob([loadDataDir], { type: gzipped ? "application/x-gzip" : "application/x-tar" }) }
        : {}),
    });
    let tar;
    if (dumpTar) {
      // A checkpoint first, so a cluster loaded from the tar starts without replaying initdb's WAL.
      await pg.exec("checkpoint");
      const raw = new Uint8Array(await (await pg.dumpDataDir("none")).arrayBuffer());
      tar = gzipSync(raw, { level: 1 }); // 40 MiB of mostly zeros: ~5 MiB, fast
    }
    await pg.close();
    process.send({ tar }, () => process.exit(0));
  } catch (err) {
    process.send({ error: { message: err instanceof Error ? err.message : String(err), stack: err?.stack } }, () => process.exit(1));
  }
});
