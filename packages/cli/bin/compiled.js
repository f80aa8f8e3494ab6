// Whether the CLI compiled at install (dist/, see ../build.mjs) may run: it exists and every source file the
// build read still has the modification time it had then. ALOFT_FROM_SOURCE=1 says no, to run the sources.
import { readFileSync, statSync } from "node:fs";

/** @param {string} cliDir the CLI package's directory, ending in "/" */
export function compiledIsCurrent(cliDir, env = process.env) {
  if (env.ALOFT_FROM_SOURCE === "1") return false;
  try {
    const { inputs } = JSON.parse(readFileSync(cliDir + "dist/inputs.json", "utf8"));
    for (const [path, mtimeMs] of Object.entries(inputs)) if (statSync(cliDir + path).mtimeMs !== mtimeMs) return false;
    return true;
  } catch {
    // No build, or one being written.
    return false;
  }
}
