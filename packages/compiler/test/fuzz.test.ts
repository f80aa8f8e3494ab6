// Fuzzing: mutated corpus messages and random graphs must never make the compiler throw; every call returns either
// a value or a non-empty error list. Seeded and time-boxed; set ALOFT_FUZZ_SEED to replay a run.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { create, fromBinary, fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { admin, core, types } from "@aloft/idl";
import { compileDynamicJobSpec, compileTask, compileWorkflow, getRequirements, type Result } from "../src/index.ts";
import { bindings, int, promise, str, task, taskNode, workflow } from "./builders.ts";

const CORPUS = fileURLToPath(new URL("../../../../shared/flyte-fixtures/compiler/snacks-core", import.meta.url));
const DYNAMIC = fileURLToPath(new URL("../../../../shared/flyte-fixtures/compiler/dynamic/success_1.json", import.meta.url));
const SEED = Number(process.env["ALOFT_FUZZ_SEED"] ?? Date.now() % 2 ** 31);
const BUDGET_MS = 1500;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

function wellFormed<T>(r: Result<T>): boolean {
  return r.ok ? r.value !== undefined : r.errors.length > 0 && r.errors.every((e) => typeof e.code === "string");
}

function flipBits(bytes: Uint8Array, rand: () => number): Uint8Array {
  const out = bytes.slice();
  const flips = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < flips && out.length > 0; i++) out[Math.floor(rand() * out.length)]! ^= 1 << Math.floor(rand() * 8);
  return out;
}

/** Deletes random object keys and array elements from a JSON tree. */
function dropFields(v: JsonValue, rand: () => number): JsonValue {
  if (Array.isArray(v)) return v.filter(() => rand() > 0.15).map((x) => dropFields(x, rand));
  if (v !== null && typeof v === "object") {
    const out: { [k: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v)) if (rand() > 0.12) out[k] = dropFields(x, rand);
    return out;
  }
  return v;
}

function tryDecode<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined; // Not a message at all: nothing for the compiler to see.
  }
}

function compileClosure(closure: core.WorkflowClosure): Result<unknown>[] {
  const results: Result<unknown>[] = [];
  const tasks: core.CompiledTask[] = [];
  for (const t of closure.tasks) {
    const r = compileTask(t);
    results.push(r);
    tasks.push(create(core.CompiledTaskSchema, { template: t }));
  }
  if (closure.workflow) {
    results.push(getRequirements(closure.workflow, []));
    results.push(compileWorkflow(closure.workflow, [], tasks, []));
  }
  return results;
}

function randomGraph(rand: () => number): Result<unknown> {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const typeChoices = [types.integer(), types.string(), types.list(types.integer()), types.optional(types.integer())];
  const tasks = [
    task("a", { x: pick(typeChoices) }, { y: pick(typeChoices) }),
    task("b", { x: pick(typeChoices), z: pick(typeChoices) }, { y: pick(typeChoices) }),
    task("c", {}, { y: pick(typeChoices) }),
  ];
  const n = 1 + Math.floor(rand() * 30);
  const nodes: core.Node[] = [];
  for (let i = 0; i < n; i++) {
    const id = rand() < 0.05 ? `n${Math.floor(rand() * n)}` : `n${i}`;
    const source = () => (rand() < 0.2 ? promise("", "in") : promise(`n${Math.floor(rand() * (n + 2))}`, rand() < 0.9 ? "y" : "nope"));
    const inputs: Record<string, core.BindingData> = {};
    if (rand() < 0.9) inputs["x"] = rand() < 0.7 ? source() : rand() < 0.5 ? int(1) : str("s");
    if (rand() < 0.5) inputs["z"] = source();
    const upstream = rand() < 0.2 ? [`n${Math.floor(rand() * n)}`] : [];
    nodes.push(taskNode(id, pick(["a", "b", "c", "missing"]), inputs, upstream));
  }
  const wf = workflow("rand", { inputs: { in: types.integer() }, outputs: rand() < 0.5 ? { out: types.integer() } : {} }, nodes);
  if (rand() < 0.5) wf.outputs = bindings({ out: promise(`n${Math.floor(rand() * n)}`, "y") });
  return compileWorkflow(wf, [], rand() < 0.9 ? tasks : tasks.slice(1), []);
}

describe("compiler fuzzing", () => {
  console.log(`compiler fuzz seed: ${SEED} (replay with ALOFT_FUZZ_SEED=${SEED})`);

  it("never throws on random graphs with random edges and cycles", () => {
    const rand = rng(SEED);
    const start = Date.now();
    let runs = 0;
    while (Date.now() - start < BUDGET_MS / 2) {
      const r = randomGraph(rand);
      expect(wellFormed(r), `seed ${SEED}, run ${runs}`).toBe(true);
      runs++;
    }
    expect(runs).toBeGreaterThan(10);
  });

  it.skipIf(!existsSync(CORPUS))("never throws on corpus messages with flipped bits or dropped fields", () => {
    const rand = rng(SEED ^ 0x5bd1e995);
    const files = readdirSync(CORPUS).filter((f) => /_[12]\.pb$/.test(f));
    const inputs = files.map((f) => ({ kind: f.endsWith("_1.pb") ? "task" : "wf", bytes: readFileSync(join(CORPUS, f)) }));
    const start = Date.now();
    let compiled = 0;
    while (Date.now() - start < BUDGET_MS) {
      const input = inputs[Math.floor(rand() * inputs.length)]!;
      const flip = rand() < 0.5;
      const results: Result<unknown>[] = [];
      if (input.kind === "task") {
        const spec = flip
          ? tryDecode(() => fromBinary(admin.TaskSpecSchema, flipBits(input.bytes, rand)))
          : tryDecode(() => fromJson(admin.TaskSpecSchema, dropFields(toJson(admin.TaskSpecSchema, fromBinary(admin.TaskSpecSchema, input.bytes)), rand)));
        if (spec?.template) results.push(compileTask(spec.template));
      } else {
        const closure = flip
          ? tryDecode(() => fromBinary(core.WorkflowClosureSchema, flipBits(input.bytes, rand)))
          : tryDecode(() =>
              fromJson(core.WorkflowClosureSchema, dropFields(toJson(core.WorkflowClosureSchema, fromBinary(core.WorkflowClosureSchema, input.bytes)), rand)),
            );
        if (closure) results.push(...compileClosure(closure));
      }
      for (const r of results) expect(wellFormed(r), `seed ${SEED}`).toBe(true);
      compiled += results.length;
    }
    expect(compiled).toBeGreaterThan(10);
  });

  it.skipIf(!existsSync(DYNAMIC))("never throws on a dynamic job spec with dropped fields", () => {
    const rand = rng(SEED ^ 0x1234567);
    const raw = JSON.parse(readFileSync(DYNAMIC, "utf8")) as JsonValue;
    const parent = task("parent", {}, { o0: types.list(types.integer()) }).template!;
    const start = Date.now();
    let compiled = 0;
    while (Date.now() - start < BUDGET_MS / 3) {
      const spec = tryDecode(() => fromJson(core.DynamicJobSpecSchema, dropFields(raw, rand)));
      if (!spec) continue;
      const r = compileDynamicJobSpec(spec, { parentTask: parent, project: "p", domain: "d", nodeId: "dyn", version: "v" });
      expect(wellFormed(r), `seed ${SEED}`).toBe(true);
      compiled++;
    }
    expect(compiled).toBeGreaterThan(10);
  });
});
