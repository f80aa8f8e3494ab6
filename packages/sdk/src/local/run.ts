// Running a workflow locally: serialize it (exactly what registration would send), compile it, and hand it to the
// engine with an in-memory execution store. The engine is the only implementation of node semantics; this file
// only converts inputs and outputs and wires plugins, cache and progress.
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { createEngine, type Catalog, type EventSink, type TaskPlugin } from "@aloft/engine";
import { FileSystemBlobStore } from "@aloft/storage";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OutputDecl, ReturnValues } from "../entity.ts";
import { TypeMismatchError } from "../errors.ts";
import { Serializer } from "../serialize/serializer.ts";
import type { TaskEntity } from "../task-entity.ts";
import { blobIO, type GetPutStore } from "../runtime/blob-io.ts";
import type { Schema, SchemaMap, TransformContext, ValuesOf } from "../types/schema.ts";
import type { GraphNode } from "../graph.ts";
import type { WorkflowDef } from "../workflow.ts";
import { InProcessTaskPlugin, type MockFn } from "./in-process-plugin.ts";
import { localLaunchPlans } from "./launch-plans.ts";
import { rawContainerPlugin } from "./raw-container-plugin.ts";
import { MemoryBlobs } from "./memory-store.ts";

export interface RunOptions {
  project?: string;
  domain?: string;
  /** Execution name (default: a random one). */
  name?: string;
  /** Project root, for module paths (default: working directory). */
  root?: string;
  /** Where data goes: in memory (default) or a directory (needed when tasks run as processes). */
  storeDir?: string;
  /** Replace chosen tasks by functions of their inputs, for tests. */
  mocks?: ReadonlyMap<TaskEntity, MockFn> | ReadonlyArray<readonly [TaskEntity, MockFn]>;
  /** A cache for tasks with `cache` set (see localCatalog); none by default. */
  catalog?: Catalog;
  /** More plugins, e.g. the engine's local-process plugin for container and shell tasks. */
  plugins?: readonly TaskPlugin[];
  /** Execution events, e.g. to show progress. */
  events?: EventSink;
  maxParallelism?: number;
  /** More tasks the run's closure carries: tasks a Flyte 2 task may call (its environments' tasks). */
  tasks?: readonly TaskEntity[];
  /** Values for `waitForInput` gates, by signal name (converted by the gate's declared type). */
  signals?: Record<string, unknown>;
  /** Decisions for `approve` gates, by signal name. */
  approvals?: Record<string, boolean>;
}

/** Signal gates of a workflow's graph (including inside branches), by signal id. */
function signalSchemas(nodes: readonly GraphNode[], into = new Map<string, Schema<unknown>>()): Map<string, Schema<unknown>> {
  for (const n of nodes) {
    const tg = n.target;
    if (tg.kind === "gate" && tg.gate.kind === "signal") into.set(tg.gate.signalId, tg.gate.schema);
    if (tg.kind === "branch") signalSchemas([...tg.cases.map((c) => c.node), ...(tg.elseNode ? [tg.elseNode] : [])], into);
  }
  return into;
}

export interface RunResult<O extends OutputDecl> {
  outputs: ReturnValues<O>;
  execution: core.WorkflowExecutionIdentifier;
  /** The engine's node records (phase, attempts, errors) for inspection. */
  nodes: import("@aloft/engine").ActionRecord[];
}

/** The workflow failed; names the node and carries Flyte's error kind and code. */
export class WorkflowFailedError extends Error {
  readonly code = "WORKFLOW_FAILED";
  constructor(
    message: string,
    readonly nodeId: string | undefined,
    readonly errorKind: string,
    readonly errorCode: string,
  ) {
    super(message);
    this.name = "WorkflowFailedError";
  }
}

/** Converts JS input values to the workflow's input LiteralMap: defaults fill gaps, optionals become none. */
export async function inputLiterals(wf: WorkflowDef<any, any>, values: Record<string, unknown>, ctx: TransformContext): Promise<core.LiteralMap> {
  const inputs: SchemaMap = wf.inputs;
  for (const k of Object.keys(values)) {
    if (!(k in inputs)) throw new TypeMismatchError(`input ${k}`, `is not an input of the workflow (inputs: ${Object.keys(inputs).join(", ") || "none"})`);
  }
  const defaults = (wf.options.defaults ?? {}) as Record<string, unknown>;
  const literals: Record<string, core.Literal> = {};
  for (const [k, schema] of Object.entries(inputs)) {
    const v = values[k] !== undefined ? values[k] : defaults[k];
    if (v === undefined && schema.check(null, k) !== undefined) throw new TypeMismatchError(`input ${k}`, "is required");
    literals[k] = await schema.toLiteral(v ?? null, ctx, `input ${k}`);
  }
  return create(core.LiteralMapSchema, { literals });
}

let counter = 0;

interface Compiled {
  serializer: Serializer;
  id: core.Identifier;
  closure: core.CompiledWorkflowClosure;
}

// A workflow's definition cannot change once made, so repeated local runs of it (tests call
// runWorkflow many times) reuse its serialization and compiled closure instead of redoing both.
const compiledRuns = new WeakMap<WorkflowDef<any, any>, Map<string, Compiled>>();

async function compiled(wf: WorkflowDef<any, any>, project: string, domain: string, root: string, tasks: readonly TaskEntity[] = []): Promise<Compiled> {
  const key = `${project}\u0000${domain}\u0000${root}`;
  let byKey = compiledRuns.get(wf);
  const known = byKey?.get(key);
  if (known) return known;
  const serializer = new Serializer({ project, domain, version: "local", root, allowUnexported: true });
  const { id } = await serializer.workflow(wf);
  for (const t of tasks) await serializer.task(t);
  // This serializer serves only these runs, so its templates can become the closure without a deep copy, unless a
  // launch-plan node will have it compile again (see localLaunchPlans).
  const c: Compiled = { serializer, id, closure: serializer.compile(id.name, { handOver: serializer.launchPlans.size === 0 }) };
  if (!byKey) compiledRuns.set(wf, (byKey = new Map()));
  byKey.set(key, c);
  return c;
}

export async function runWorkflow<I extends SchemaMap, O extends OutputDecl>(
  wf: WorkflowDef<I, O>,
  inputs: Partial<ValuesOf<I>> & Record<string, unknown>,
  options: RunOptions = {},
): Promise<RunResult<O>> {
  const project = options.project ?? "local";
  const domain = options.domain ?? "development";
  const { serializer, id, closure } = await compiled(wf, project, domain, options.root ?? process.cwd(), options.tasks);

  let store: GetPutStore;
  let base: string;
  if (options.storeDir) {
    base = `file://${options.storeDir.replace(/\/+$/, "")}`;
    store = new FileSystemBlobStore({ root: base });
  } else {
    base = "memory://aloft";
    store = new MemoryBlobs();
  }
  const scratchDir = await mkdtemp(join(tmpdir(), "aloft-run-"));
  const ctx: TransformContext = { blobs: blobIO(store), rawOutputPrefix: `${base}/raw/inputs`, scratchDir };
  const literals = await inputLiterals(wf, inputs, ctx);

  const mocks = new Map(options.mocks instanceof Map ? options.mocks : (options.mocks as ReadonlyArray<readonly [TaskEntity, MockFn]> | undefined) ?? []);
  const templateOf = async (t: TaskEntity) => serializer.tasks.get((await serializer.task(t)).id.name)!;
  const plugin = new InProcessTaskPlugin(serializer.taskEntities, mocks, options.root ?? process.cwd(), templateOf);
  const engine = createEngine({
    store: "memory",
    blobStore: store,
    plugins: [plugin, rawContainerPlugin(), ...(options.plugins ?? [])],
    launchPlans: localLaunchPlans(serializer),
    ...(options.catalog ? { catalog: options.catalog } : {}),
    ...(options.events ? { events: options.events } : {}),
    metadataPrefix: `${base}/metadata`,
    rawOutputPrefix: `${base}/raw`,
    ...(options.maxParallelism !== undefined ? { maxParallelism: options.maxParallelism } : {}),
  });
  await engine.start();
  try {
    const execution = create(core.WorkflowExecutionIdentifierSchema, { project, domain, name: options.name ?? `local-${process.pid}-${Date.now().toString(36)}-${counter++}` });
    await engine.createExecution({ id: execution, closure, inputs: literals });
    const gates = signalSchemas(wf.graph().nodes);
    for (const [name, value] of Object.entries(options.signals ?? {})) {
      const schema = gates.get(name);
      if (!schema) throw new TypeMismatchError(`signal ${name}`, `the workflow waits for no signal of that name (signals: ${[...gates.keys()].join(", ") || "none"})`);
      await engine.setSignal(execution, name, await schema.toLiteral(value, ctx, `signal ${name}`));
    }
    for (const [name, approved] of Object.entries(options.approvals ?? {})) await engine.approve(execution, name, approved);
    const result = await engine.wait(execution);
    const nodes = await engine.listNodeExecutions(execution);
    if (result.phase !== "SUCCEEDED") {
      const e = result.error;
      const where = e?.failedNodeId ? ` at node ${e.failedNodeId}` : "";
      throw new WorkflowFailedError(`workflow ${id.name} ${result.phase.toLowerCase()}${where}: ${e?.message ?? "no error message"}`, e?.failedNodeId, e?.kind ?? "UNKNOWN", e?.code ?? "");
    }
    const out: Record<string, unknown> = {};
    for (const [k, schema] of Object.entries(wf.outputs as SchemaMap)) {
      const l = result.outputs?.literals[k];
      if (!l) throw new WorkflowFailedError(`workflow ${id.name} succeeded without output ${k}`, undefined, "SYSTEM", "MissingOutput");
      out[k] = await schema.fromLiteral(l, ctx, `output ${k}`);
    }
    const outputs = (wf.singleOutput ? out.o0 : Object.keys(out).length ? out : undefined) as ReturnValues<O>;
    return { outputs, execution, nodes };
  } finally {
    await engine.stop();
    // Downloads made for the run go with it (a file output read later is downloaded again, on demand).
    await rm(scratchDir, { recursive: true, force: true });
  }
}
