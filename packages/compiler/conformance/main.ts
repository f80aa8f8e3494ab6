// CLI: `npm run conformance -- --fixtures <dir>`. One line per failure, then "N passed, M failed".
import { existsSync } from "node:fs";
import { runConformance } from "./run.ts";

function fixturesArg(argv: string[]): string | undefined {
  const i = argv.indexOf("--fixtures");
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith("--fixtures="))?.slice("--fixtures=".length);
}

const dir = fixturesArg(process.argv.slice(2));
if (!dir) {
  console.error("usage: npm run conformance -- --fixtures <dir>");
  process.exit(2);
}
if (!existsSync(dir)) {
  console.error(`fixtures folder not found: ${dir}`);
  process.exit(2);
}
const results = runConformance(dir);
let failed = 0;
for (const r of results) {
  if (!r.ok) {
    failed++;
    console.log(`FAIL ${r.name}: ${r.detail}`);
  }
}
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
