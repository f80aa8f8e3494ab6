// Flyte's compiler conformance procedure (flytepropeller/pkg/compiler/test/compiler_test.go) over a fixture folder:
// tasks (`_1.pb`) compile after three test config pairs are appended, workflows (`_2.pb`) compile with the compiled
// tasks they require, and both must equal their golden under `compiled/` as protobuf messages. JSON workflow
// closures (branch cases), DynamicJobSpecs and launch plans (`_3.pb`, decode only) are covered too.
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { basename, join } from "node:path";
import { create, equals, fromBinary, fromJson, toJson, type DescMessage, type JsonValue, type MessageShape } from "@bufbuild/protobuf";
import { admin, core } from "@aloft/idl";
import { compileTask, compileWorkflow, getRequirements, type Result } from "../src/index.ts";
import { firstDifference } from "./diff.ts";

export interface CaseResult {
  name: string;
  ok: boolean;
  /** For failures: the first problem found, on one line. */
  detail?: string;
}

type Tasks = Map<string, core.CompiledTask>;

function taskKey(id: core.Identifier | undefined): string {
  return id ? toJsonText(core.IdentifierSchema, id) : "<nil>";
}

function toJsonText<D extends DescMessage>(schema: D, m: MessageShape<D>): string {
  return JSON.stringify(toJson(schema, m));
}

/** Flyte's setDefaultFields: the test harness appends these pairs to every container before compiling. */
function withTestConfig(t: core.TaskTemplate): core.TaskTemplate {
  if (t.target.case === "container") {
    for (let i = 1; i <= 3; i++) {
      t.target.value.config.push(create(core.KeyValuePairSchema, { key: `testKey${i}`, value: `testValue${i}` }));
    }
  }
  return t;
}

function errorsText<T>(r: Result<T>): string {
  return r.ok ? "" : r.errors.map((e) => e.message).join("; ");
}

function compareGolden<D extends DescMessage>(schema: D, got: MessageShape<D>, goldenPath: string): string | undefined {
  if (!existsSync(goldenPath)) return undefined;
  let want: MessageShape<D>;
  try {
    want = fromJson(schema, JSON.parse(readFileSync(goldenPath, "utf8")) as JsonValue);
  } catch (e) {
    return `cannot parse golden ${basename(goldenPath)}: ${(e as Error).message}`;
  }
  if (equals(schema, got, want)) return undefined;
  const d = firstDifference(toJson(schema, got), toJson(schema, want));
  return d ? `differs from ${basename(goldenPath)} at ${d.path}: got ${d.got}, want ${d.want}` : `differs from ${basename(goldenPath)} (not visible in JSON)`;
}

function compileAndStoreTask(template: core.TaskTemplate | undefined, tasks: Tasks): Result<core.CompiledTask> | string {
  if (!template) return "task spec has no template";
  const r = compileTask(withTestConfig(template));
  if (r.ok) tasks.set(taskKey(template.id), r.value);
  return r;
}

/** Flyte's assertNodeIDsInConnections: nodes with promise inputs appear in the connections, and only real nodes do. */
function checkConnections(wf: core.CompiledWorkflow): string | undefined {
  const all = new Set<string>();
  const withDeps = new Set<string>();
  const hasPromise = (b: core.BindingData | undefined): boolean =>
    b?.value.case === "promise" ||
    (b?.value.case === "collection" && b.value.value.bindings.some(hasPromise)) ||
    (b?.value.case === "map" && Object.values(b.value.value.bindings).some(hasPromise));
  const nodeHasPromise = (n: core.Node | undefined) => (n?.inputs ?? []).some((i) => hasPromise(i.binding));
  const visitSubs = (n: core.Node | undefined) => {
    if (n?.target.case !== "branchNode") return;
    const ie = n.target.value.ifElse;
    const subs = [ie?.case?.thenNode, ...(ie?.other ?? []).map((o) => o.thenNode)];
    if (ie?.default.case === "elseNode") subs.push(ie.default.value);
    for (const s of subs) {
      if (s && nodeHasPromise(s)) {
        withDeps.add(s.id);
        all.add(s.id);
      }
      visitSubs(s);
    }
  };
  for (const n of wf.template?.nodes ?? []) {
    all.add(n.id);
    if (nodeHasPromise(n)) withDeps.add(n.id);
    visitSubs(n);
  }
  const inConnections = new Set<string>();
  for (const side of [wf.connections?.upstream ?? {}, wf.connections?.downstream ?? {}]) {
    for (const [k, v] of Object.entries(side)) [k, ...v.ids].forEach((id) => inConnections.add(id));
  }
  const missing = [...withDeps].filter((id) => !inConnections.has(id));
  if (missing.length) return `nodes missing from connections: ${missing.join(",")}`;
  const unknown = [...inConnections].filter((id) => !all.has(id));
  if (unknown.length) return `connections name unknown nodes: ${unknown.join(",")}`;
  return undefined;
}

/**
 * Compiles a workflow with the compiled tasks it requires (in requirement order), or with `allTasks` in the given
 * order when provided (the JSON closure cases pass every task of the closure, as their goldens were made).
 */
function compileClosureWorkflow(
  wf: core.WorkflowTemplate | undefined,
  tasks: Tasks,
  golden: string,
  subWorkflows: core.WorkflowTemplate[] = [],
  allTasks?: core.CompiledTask[],
): string | undefined {
  if (!wf) return "closure has no workflow";
  const reqs = getRequirements(wf, subWorkflows);
  if (!reqs.ok) return `requirements: ${errorsText(reqs)}`;
  const needed: core.CompiledTask[] = [];
  for (const id of reqs.value.taskIds) {
    const t = tasks.get(taskKey(id));
    if (!t) return `could not find compiled task ${id.name}`;
    needed.push(t);
  }
  const r = compileWorkflow(wf, subWorkflows, allTasks ?? needed, []);
  if (!r.ok) return `compile failed: ${errorsText(r)}`;
  return checkConnections(r.value.primary!) ?? compareGolden(core.CompiledWorkflowClosureSchema, r.value, golden);
}

function decode<D extends DescMessage>(schema: D, path: string): MessageShape<D> | string {
  try {
    return fromBinary(schema, readFileSync(path));
  } catch (e) {
    return `cannot decode as ${schema.typeName}: ${(e as Error).message}`;
  }
}

function caseOf(name: string, fn: () => string | undefined): CaseResult {
  try {
    const detail = fn();
    return detail === undefined ? { name, ok: true } : { name, ok: false, detail };
  } catch (e) {
    return { name, ok: false, detail: `threw: ${(e as Error).stack ?? String(e)}` };
  }
}

function runPbDirectory(dir: string, files: string[], results: CaseResult[]): void {
  const tasks: Tasks = new Map();
  const compiledDir = join(dir, "compiled");
  const stem = (f: string) => f.replace(/\.pb$/, "");
  for (const f of files.filter((f) => f.endsWith("_1.pb"))) {
    results.push(
      caseOf(join(dir, f), () => {
        const spec = decode(admin.TaskSpecSchema, join(dir, f));
        if (typeof spec === "string") return spec;
        const r = compileAndStoreTask(spec.template, tasks);
        if (typeof r === "string") return r;
        if (!r.ok) return `compile failed: ${errorsText(r)}`;
        return compareGolden(core.CompiledTaskSchema, r.value, join(compiledDir, `${stem(f)}_task.json`));
      }),
    );
  }
  for (const f of files.filter((f) => f.endsWith("_2.pb"))) {
    results.push(
      caseOf(join(dir, f), () => {
        const closure = decode(core.WorkflowClosureSchema, join(dir, f));
        if (typeof closure !== "string") {
          return compileClosureWorkflow(closure.workflow, tasks, join(compiledDir, `${stem(f)}_wf.json`));
        }
        // Flyte's test skips files that are not WorkflowClosures. Workflows with sub-workflows were serialised as
        // admin.WorkflowSpec (template + sub-workflows); compiling those exercises sub-workflow nodes too.
        const spec = decode(admin.WorkflowSpecSchema, join(dir, f));
        if (typeof spec === "string") return `${closure}; ${spec}`;
        return compileClosureWorkflow(spec.template, tasks, join(compiledDir, `${stem(f)}_wf.json`), spec.subWorkflows);
      }),
    );
  }
  for (const f of files.filter((f) => f.endsWith("_3.pb"))) {
    results.push(
      caseOf(join(dir, f), () => {
        const lp = decode(admin.LaunchPlanSchema, join(dir, f));
        return typeof lp === "string" ? lp : undefined;
      }),
    );
  }
  // Other binary fixtures: literal maps of inputs, or whole workflow closures carrying their tasks.
  for (const f of files.filter((f) => f.endsWith(".pb") && !/_[123]\.pb$/.test(f))) {
    results.push(
      caseOf(join(dir, f), () => {
        if (f.endsWith("-inputs.pb")) {
          const m = decode(core.LiteralMapSchema, join(dir, f));
          return typeof m === "string" ? m : undefined;
        }
        const closure = decode(core.WorkflowClosureSchema, join(dir, f));
        if (typeof closure === "string") return closure;
        return runClosure(closure, join(compiledDir, `${stem(f)}.json`));
      }),
    );
  }
}

function runClosure(closure: core.WorkflowClosure, golden: string): string | undefined {
  const tasks: Tasks = new Map();
  const all: core.CompiledTask[] = [];
  for (const t of closure.tasks) {
    const r = compileAndStoreTask(t, tasks);
    if (typeof r === "string") return r;
    if (!r.ok) return `task ${t.id?.name} failed: ${errorsText(r)}`;
    all.push(r.value);
  }
  return compileClosureWorkflow(closure.workflow, tasks, golden, [], all);
}

/** Flyte's TestDynamic: the job's nodes and outputs become a workflow returning o0: list<integer>. */
function runDynamic(spec: core.DynamicJobSpec): string | undefined {
  const compiled: core.CompiledTask[] = [];
  for (const t of spec.tasks) {
    const r = compileTask(withTestConfig(t));
    if (!r.ok) return `task ${t.id?.name} failed: ${errorsText(r)}`;
    compiled.push(r.value);
  }
  const template = create(core.WorkflowTemplateSchema, {
    id: { domain: "domain", name: "name", version: "version" },
    interface: {
      inputs: { variables: {} },
      outputs: { variables: { o0: { type: { type: { case: "collectionType", value: { type: { case: "simple", value: core.SimpleType.INTEGER } } } } } } },
    },
    nodes: spec.nodes,
    outputs: spec.outputs,
  });
  const r = compileWorkflow(template, spec.subworkflows, compiled, []);
  return r.ok ? undefined : `compile failed: ${errorsText(r)}`;
}

function runJson(dir: string, f: string): CaseResult {
  return caseOf(join(dir, f), () => {
    const raw = JSON.parse(readFileSync(join(dir, f), "utf8")) as { [k: string]: JsonValue };
    if ("workflow" in raw) {
      const closure = fromJson(core.WorkflowClosureSchema, raw);
      return runClosure(closure, join(dir, "compiled", f));
    }
    if ("nodes" in raw) return runDynamic(fromJson(core.DynamicJobSpecSchema, raw));
    return "unrecognised JSON fixture (neither a workflow closure nor a dynamic job spec)";
  });
}

/** Runs every fixture under `dir` (recursively; `compiled/` and `k8s/` hold goldens and are not inputs). */
export function runConformance(dir: string): CaseResult[] {
  const results: CaseResult[] = [];
  const entries = readdirSync(dir).sort();
  const files = entries.filter((e) => statSync(join(dir, e)).isFile());
  runPbDirectory(dir, files.filter((f) => f.endsWith(".pb")), results);
  for (const f of files.filter((f) => f.endsWith(".json"))) results.push(runJson(dir, f));
  for (const d of entries.filter((e) => statSync(join(dir, e)).isDirectory())) {
    if (d === "compiled" || d === "k8s") continue;
    results.push(...runConformance(join(dir, d)));
  }
  return results;
}
