// CPU seconds of each thread of this process (Linux), to tell the main thread from PGlite's and libuv's.
// Elsewhere the map is empty: no per-thread figures.
import { readdirSync, readFileSync } from "node:fs";

export function threadCpu(): Map<string, { name: string; s: number }> {
  const out = new Map<string, { name: string; s: number }>();
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(tid, { name: tid === String(process.pid) ? "main" : name, s: (Number(f[11]) + Number(f[12])) / 100 });
    }
  } catch {
    // not Linux: no per-thread figures
  }
  return out;
}
