// How long the `aloft` command takes, end to end as a user starts it: `node -e 0` (Node's own start), `aloft --help`
// and `aloft run` of a one-node workflow (no cache, data under a fresh directory), each from the compiled CLI
// (dist/, built at install) and from its TypeScript sources (ALOFT_FROM_SOURCE=1). Prints figures only.
// Run with `npx tsx bench/cli-start.ts` (optionally `--runs N`).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
// @ts-expect-error: plain JavaScript, without declarations
import { compiledIsCurrent } from "../packages/cli/bin/compiled.js";

const i = process.argv.indexOf("--runs");
const RUNS = i >= 0 ? Number(process.argv[i + 1]) : 10;
const cliDir = fileURLToPath(new URL("../packages/cli/", import.meta.url));
const bin = join(cliDir, "bin/aloft.js");
const flow = fileURLToPath(new URL("../packages/cli/src/commands/testdata/flows.ts", import.meta.url));
if (!compiledIsCurrent(cliDir)) execFileSync(process.execPath, [join(cliDir, "build.mjs"), "--quiet"], { stdio: "inherit" });

function time(args: string[], env: Record<string, string> = {}): number[] {
  const ms: number[] = [];
  for (let r = 0; r < RUNS + 1; r++) {
    const t = performance.now();
    const res = spawnSync(process.execPath, args, { env: { ...process.env, ALOFT_FROM_SOURCE: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const elapsed = performance.now() - t;
    if (res.status !== 0) throw new Error(`${args.join(" ")} failed: ${res.stderr}`);
    // The first run warms the disk cache (and tsx's transform cache); it is not counted.
    if (r > 0) ms.push(elapsed);
  }
  return ms.sort((a, b) => a - b);
}

const store = mkdtempSync(join(tmpdir(), "aloft-bench-"));
const run = ["run", "--no-cache", "--store-dir", store, flow, "sum", "--a", "1", "--tags", "[]"];
const rows: [string, number[]][] = [
  ["node -e 0", time(["-e", "0"])],
  ["aloft --help (compiled)", time([bin, "--help"])],
  ["aloft run, one node (compiled)", time([bin, ...run])],
  ["aloft --help (sources, tsx)", time([bin, "--help"], { ALOFT_FROM_SOURCE: "1" })],
  ["aloft run, one node (sources, tsx)", time([bin, ...run], { ALOFT_FROM_SOURCE: "1" })],
];
rmSync(store, { recursive: true, force: true });
const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(0);
console.log(`${RUNS} runs each (after one warm-up); load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}; Node ${process.version}`);
console.log(`${"command".padEnd(38)} ${"min".padStart(6)} ${"median".padStart(7)} ${"p90".padStart(6)}  (ms)`);
for (const [name, ms] of rows) console.log(`${name.padEnd(38)} ${q(ms, 0).padStart(6)} ${q(ms, 0.5).padStart(7)} ${q(ms, 0.9).padStart(6)}`);
