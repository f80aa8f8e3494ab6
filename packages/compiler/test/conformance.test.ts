// Runs Flyte's own compiler corpus through the conformance procedure; skipped when the fixtures are absent.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runConformance } from "../conformance/run.ts";

const CORPUS = fileURLToPath(new URL("../../../../shared/flyte-fixtures/compiler", import.meta.url));
const present = existsSync(CORPUS);
if (!present) console.warn(`conformance: ${CORPUS} not found, skipping Flyte's compiler corpus`);

describe.skipIf(!present)("Flyte compiler corpus", () => {
  it("compiles every fixture and matches every golden", () => {
    const results = runConformance(CORPUS);
    const failures = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`);
    expect(failures).toEqual([]);
    // The corpus has 87 tasks, 45 workflows and 51 launch plans, plus branch, dynamic and app-workflow cases.
    expect(results.length).toBeGreaterThanOrEqual(183);
  });
});
