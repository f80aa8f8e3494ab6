// Local = remote, for every workflow under examples/: each runs with `aloft run` and, through one in-process
// `aloft start`, with `aloft run --remote`, and the two must give the same outputs (files and datasets compared by
// content), the same nodes in the same phases and, run a second time, the same cache hits.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isReference, isWorkflow, loadWorkflowModule, type WorkflowDef } from "@aloft/sdk";
import { run } from "../../src/commands/run.ts";
import type { NodeReportEntry } from "../../src/node-report.ts";
import { captureIO, startTestServer, type TestServer } from "../server.ts";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const examples = join(repo, "examples");

interface Case {
  /** Inputs after the workflow name (none: the workflow's defaults). */
  args?: string[];
  /** The run is expected to fail; its nodes are still compared. */
  fails?: boolean;
}

// Inputs for workflows without defaults for all of them, smaller inputs where the defaults are slow, and a
// failing run where the failure path is worth comparing. Keyed by `<path under examples/>:<workflow>`.
const cases: Record<string, Case[]> = {
  "conditional/conditional.ts:routeApplication": [
    { args: ["--income", "52000", "--debt", "9000"] },
    { args: ["--income", "30000", "--debt", "21000", "--missed_payments", "1"] },
    { args: ["--income", "0", "--debt", "100"], fails: true },
  ],
  // One review is empty: its item fails (after its retry) and the map node still succeeds at 3 of 4.
  "fan-out/fan-out.ts:scoreReviews": [{ args: ["--reviews", JSON.stringify(["great and fast", "", "slow, broken, refund", "love it, recommend"])] }],
  "etl/etl.ts:etlPipeline": [{ args: ["--rows", "400"] }],
  "ml/ml.ts:churnModel": [{ args: ["--customers", "400", "--epochs", "40"] }],
  "ml/ml.ts:churnCompare": [{ args: ["--customers", "400"] }],
  "subworkflow/subworkflow.ts:normalize": [{ args: ["--values", "[20, 180]", "--max", "1"] }],
  "subworkflow/subworkflow.ts:summarize": [{ args: ["--values", "[1, 2]"] }],
};

// Workflows that need something this machine may lack, and how to tell.
const sklearnMissing = () =>
  !["python3", "/usr/bin/python3"].some((py) => spawnSync(py, ["-c", "import sklearn"], { stdio: "ignore" }).status === 0) &&
  "scikit-learn is not installed (python3 -c 'import sklearn' fails; Debian: apt-get install python3-sklearn)";
// Workflows calling flytekit tasks by reference run only on a server that has them registered (references.test.ts).
const byReference = () => "calls Python tasks registered with flytekit; a local run cannot run them (references.test.ts runs it on aloft start)";
const needs: Record<string, () => string | false> = {
  "ml/ml.ts:churnCompare": sklearnMissing,
  "references/references.ts:invoice": byReference,
  "references/references.ts:invoiceTwice": byReference,
  "secrets/secrets.ts:signOrder": () => "needs a secret (secrets.test.ts runs it locally and on aloft start)",
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sourceFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

/** Every workflow exported by a module under examples/, once (where it is first exported), grouped by example. */
async function discover(): Promise<Map<string, { key: string; file: string; name: string; wf: WorkflowDef<any, any> }[]>> {
  const seen = new Set<unknown>();
  const groups = new Map<string, { key: string; file: string; name: string; wf: WorkflowDef<any, any> }[]>();
  for (const file of sourceFiles(examples).sort()) {
    const rel = relative(examples, file);
    const m = await loadWorkflowModule(file, repo);
    for (const [name, value] of Object.entries(m.exports)) {
      // Reference workflows are declarations of workflows registered elsewhere, not examples to run.
      if (!isWorkflow(value) || isReference(value) || seen.has(value)) continue;
      seen.add(value);
      const group = rel.split("/")[0]!;
      groups.set(group, [...(groups.get(group) ?? []), { key: `${rel}:${name}`, file, name, wf: value }]);
    }
  }
  return groups;
}

const groups = await discover();

/** Output values with every local file or directory they name replaced by a digest of its contents. */
function byContent(v: unknown): unknown {
  if (typeof v === "string" && /^(file:\/\/)?\//.test(v)) {
    const path = v.replace(/^file:\/\//, "");
    if (existsSync(path)) return { content: digest(path) };
  }
  if (Array.isArray(v)) return v.map(byContent);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, byContent(x)]));
  return v;
}

function digest(path: string): string {
  const h = createHash("sha256");
  const walk = (p: string, name: string) => {
    if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e), `${name}/${e}`);
    else h.update(`${name}\0`).update(readFileSync(p));
  };
  walk(path, ".");
  return h.digest("hex");
}

interface Report {
  outputs?: unknown;
  error?: string;
  nodes: NodeReportEntry[];
}

let server: TestServer;

async function aloftRun(argv: string[], c: Case, where: string): Promise<Report> {
  const io = captureIO();
  const code = await run.run(argv, io);
  const said = `${where}: aloft run ${argv.join(" ")}\n${io.stderr.join("\n")}`;
  expect(code, said).toBe(c.fails ? 1 : 0);
  const last = io.stdout.at(-1);
  expect(last, said).toBeDefined();
  return JSON.parse(last!) as Report;
}

beforeAll(async () => {
  server = await startTestServer({ workers: 2 });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe("every example, run locally and through aloft start", () => {
  it("finds the examples' workflows and has inputs for those that need them", () => {
    const keys = [...groups.values()].flat().map((w) => w.key);
    expect(keys.length).toBeGreaterThanOrEqual(7);
    for (const key of Object.keys(cases)) expect(keys, `cases names ${key}, which is no longer an example`).toContain(key);
  });

  for (const [group, workflows] of groups) {
    // Examples run side by side; an example's own workflows run one after another, locally and remotely in
    // step, so that tasks they share (ml's prepareFeatures) meet the same cache state on both sides.
    it.concurrent(`${group}: same outputs, node phases and cache hits`, async () => {
      const store = mkdtempSync(join(tmpdir(), `aloft-both-${group}-`));
      try {
        for (const { key, file, name, wf } of workflows) {
          const missing = needs[key]?.();
          if (missing) {
            console.log(`examples both ways: skipped ${key}: ${missing}`);
            continue;
          }
          const required = Object.keys(wf.inputs).filter((k) => !(k in (wf.options.defaults ?? {})));
          const list = cases[key] ?? [{}];
          if (required.length > 0) expect(cases[key], `${key} needs inputs (${required.join(", ")}): add them to cases`).toBeDefined();
          for (const c of list) {
            const args = c.args ?? [];
            const where = `${key} ${args.join(" ")}`.trim();
            let populated: string[] = [];
            for (const round of [1, 2]) {
              const local = await aloftRun(["--nodes", "--json", "--store-dir", store, file, name, ...args], c, `${where} (local, run ${round})`);
              const remote = await aloftRun(["--remote", "--nodes", "--json", file, name, ...args, "--endpoint", server.endpoint], c, `${where} (remote, run ${round})`);
              expect(remote.nodes, `${where}: nodes of run ${round}`).toEqual(local.nodes);
              if (!c.fails) expect(byContent(remote.outputs), `${where}: outputs of run ${round}`).toEqual(byContent(local.outputs));
              expect(local.nodes.length, where).toBeGreaterThan(0);
              // What the first run put in the cache, the second takes from it (on both sides, as compared above).
              if (round === 1) populated = local.nodes.filter((n) => n.cache === "POPULATED").map((n) => n.id);
              else for (const id of populated) expect(local.nodes.find((n) => n.id === id)?.cache, `${where}: ${id} on run 2`).toBe("HIT");
            }
          }
        }
      } finally {
        rmSync(store, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
