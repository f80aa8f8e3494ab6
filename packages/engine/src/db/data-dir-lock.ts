// Single ownership of a PGlite data directory. PGlite is an in-process Postgres: two processes
// opening one directory corrupt it, so a lock file records the owner's pid. A lock left by a dead
// process (crash, SIGKILL) is taken over; one held by a live process is refused.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { DataDirLockedError } from "../errors.ts";

export const LOCK_FILE_NAME = "aloft.lock";

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM means the process exists but belongs to someone else: still alive.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, "wx");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      let ownerPid = Number.NaN;
      try {
        ownerPid = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
      } catch {
        // Vanished between open and read: the owner just released it; try again.
        continue;
      }
      // The same process opening twice is refused too: two PGlite instances would still clash.
      if (Number.isInteger(ownerPid) && ownerPid > 0 && isAlive(ownerPid)) {
        throw new DataDirLockedError(dataDir, ownerPid);
      }
      // Dead owner or unreadable content (killed while writing): the lock is stale.
      try {
        unlinkSync(path);
      } catch {
        /* another process removed it first; the retry decides who wins */
      }
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    let released = false;
    return {
      path,
      release() {
        if (released) return;
        released = true;
        try {
          if (readFileSync(path, "utf8").trim() === String(process.pid)) unlinkSync(path);
        } catch {
          /* already gone */
        }
      },
    };
  }
  throw new DataDirLockedError(dataDir, Number.NaN);
}
