// `aloft run --nodes`: what each node of a run did (id, name, phase, cache status), built the same way for a local
// run (from the engine's node and task events) and a remote one (from the server's AdminService, which records
// those same events), so the two reports can be compared line by line.
import { admin, core, type event } from "@aloft/idl";
import type { EventSink } from "@aloft/engine";
import type { SchemaMap, TransformContext } from "@aloft/sdk";
import { tmpdir } from "node:os";
import type { CommandIO } from "./command.ts";
import type { Remote } from "./remote/connection.ts";
import { errorText, executionPhase, outputsText, table } from "./remote/format.ts";
import { watchExecution } from "./remote/watch.ts";

export interface NodeReportEntry {
  /** Flyte's unique node id: `n0`, and for nested nodes `<parent>-<retry>-<node>` (`n0-0-dn1`). */
  id: string;
  /** The task's name as exported (`scoreReview`), `map <task>` for a map node, "-" for other nodes. */
  name: string;
  phase: string;
  /** HIT, MISS, POPULATED, DISABLED…; "-" for nodes that are not tasks. */
  cache: string;
}

/** What one source says about one node; both sources reduce to this before the report is built. */
interface NodeSeen {
  id: string;
  parent: string | undefined;
  phase: core.NodeExecution_Phase;
  /** Undefined for nodes that are not task nodes. */
  cache: core.CatalogCacheStatus | undefined;
  task: string | undefined;
  isArray: boolean;
}

const P = core.NodeExecution_Phase;
const terminal = new Set([P.SUCCEEDED, P.FAILED, P.ABORTED, P.SKIPPED, P.TIMED_OUT, P.RECOVERED]);
const hidden = new Set(["start-node", "end-node"]);

const phaseName = (p: core.NodeExecution_Phase) => P[p] ?? "UNDEFINED";
const cacheName = (c: core.CatalogCacheStatus | undefined) => (c === undefined ? "-" : (core.CatalogCacheStatus[c] ?? "CACHE_DISABLED").replace(/^CACHE_/, ""));
/** `flyte_task-<project>.<…>.train` or `examples.dynamic.train` → `train`: the name the user exported. */
const shortName = (task: string) => task.replace(/^flyte_task-/, "").split(".").pop() ?? task;

/** The task a cache entry belongs to, as the catalog key names it (dataset `flyte_task-<task name>`). */
function catalogTask(m: { catalogKey?: core.CatalogMetadata } | undefined): string | undefined {
  const name = m?.catalogKey?.datasetId?.name;
  return name ? name.replace(/^flyte_task-/, "") : undefined;
}

/** Parents before children, siblings in node-id order (n2 before n10), whatever order the source gave. */
export function buildReport(seen: Iterable<NodeSeen>): NodeReportEntry[] {
  const nodes = [...seen].filter((n) => !hidden.has(n.id));
  const byParent = new Map<string | undefined, NodeSeen[]>();
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) {
    // A child whose parent was not reported (should not happen) still shows, at the top level.
    const p = n.parent !== undefined && ids.has(n.parent) ? n.parent : undefined;
    byParent.set(p, [...(byParent.get(p) ?? []), n]);
  }
  const out: NodeReportEntry[] = [];
  const walk = (parent: string | undefined, inArray: boolean) => {
    const children = (byParent.get(parent) ?? []).sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }));
    for (const n of children) {
      // A map node's items run a copy of the mapped task named `<task>.map`.
      const task = n.task && inArray ? n.task.replace(/\.map$/, "") : n.task;
      const mapped = n.isArray ? (byParent.get(n.id) ?? []).find((k) => k.task)?.task?.replace(/\.map$/, "") : undefined;
      const name = task ? shortName(task) : n.isArray ? `map${mapped ? ` ${shortName(mapped)}` : ""}` : "-";
      out.push({ id: n.id, name, phase: phaseName(n.phase), cache: cacheName(n.cache) });
      walk(n.id, n.isArray);
    }
  };
  walk(undefined, false);
  return out;
}

/**
 * Collects a local run's node and task events. Only the run's own execution counts (a launch-plan node starts
 * executions of its own, which the server lists apart too); a terminal phase is final, as the server keeps it.
 */
export function localNodeCollector(): { sink: EventSink; report(execution?: core.WorkflowExecutionIdentifier): NodeReportEntry[] } {
  const byExecution = new Map<string, Map<string, NodeSeen>>();
  // The run's own execution reports first; a failed run's report is asked for without its id.
  let first: string | undefined;
  const tasks = new Map<string, Map<string, string>>();
  const perExecution = <T>(m: Map<string, Map<string, T>>, name: string) => {
    let inner = m.get(name);
    if (!inner) m.set(name, (inner = new Map()));
    return inner;
  };
  return {
    sink: {
      workflow(e: event.WorkflowExecutionEvent) {
        first ??= e.executionId?.name;
      },
      node(e: event.NodeExecutionEvent) {
        const id = e.id?.nodeId;
        if (!id) return;
        const nodes = perExecution(byExecution, e.id?.executionId?.name ?? "");
        const before = nodes.get(id);
        if (before && terminal.has(before.phase)) return;
        const meta = e.targetMetadata.case === "taskNodeMetadata" ? e.targetMetadata.value : undefined;
        nodes.set(id, {
          id,
          parent: e.parentNodeMetadata?.nodeId || before?.parent,
          phase: e.phase,
          cache: meta ? meta.cacheStatus : before?.cache,
          task: before?.task ?? catalogTask(meta),
          isArray: e.isArray || (before?.isArray ?? false),
        });
      },
      task(e: event.TaskExecutionEvent) {
        const node = e.parentNodeExecutionId;
        if (node?.nodeId && e.taskId?.name) perExecution(tasks, node.executionId?.name ?? "").set(node.nodeId, e.taskId.name);
      },
    },
    report(execution) {
      const name = execution?.name ?? first ?? "";
      const names = tasks.get(name) ?? new Map<string, string>();
      const nodes = [...(byExecution.get(name)?.values() ?? [])];
      return buildReport(nodes.map((n) => ({ ...n, task: names.get(n.id) ?? n.task })));
    },
  };
}

/** Sends every event to each sink in turn (progress lines and the node report, say). */
export function teeSink(...sinks: EventSink[]): EventSink {
  return {
    async workflow(e) {
      for (const s of sinks) await s.workflow(e);
    },
    async node(e) {
      for (const s of sinks) await s.node(e);
    },
    async task(e) {
      for (const s of sinks) await s.task(e);
    },
  };
}

async function listAll(remote: Remote, id: core.WorkflowExecutionIdentifier, parent: string | undefined): Promise<admin.NodeExecution[]> {
  const all: admin.NodeExecution[] = [];
  let token = "";
  do {
    const res = await remote.admin.listNodeExecutions({ workflowExecutionId: id, limit: 1000, token, ...(parent ? { uniqueParentId: parent } : {}) });
    all.push(...res.nodeExecutions);
    token = res.token;
  } while (token);
  return all;
}

/**
 * A remote execution's nodes, children of parent nodes (subworkflows, branches, dynamic tasks) and map nodes
 * included: ListNodeExecutions per level, and the task of each task node from its catalog key or, when it has
 * none, its task executions.
 */
export async function remoteNodeReport(remote: Remote, id: core.WorkflowExecutionIdentifier): Promise<NodeReportEntry[]> {
  const seen: NodeSeen[] = [];
  const visit = async (parent: string | undefined): Promise<void> => {
    const level = await listAll(remote, id, parent);
    await Promise.all(
      level.map(async (n) => {
        const nodeId = n.id?.nodeId ?? "";
        const meta = n.closure?.targetMetadata.case === "taskNodeMetadata" ? n.closure.targetMetadata.value : undefined;
        let task = catalogTask(meta);
        if (meta && !task) {
          const te = await remote.admin.listTaskExecutions({ nodeExecutionId: n.id, limit: 1 });
          task = te.taskExecutions[0]?.id?.taskId?.name;
        }
        const isArray = n.metadata?.isArray ?? false;
        seen.push({ id: nodeId, parent, phase: n.closure?.phase ?? P.UNDEFINED, cache: meta?.cacheStatus, task, isArray });
        if (n.metadata?.isParentNode || isArray) await visit(nodeId);
      }),
    );
  };
  await visit(undefined);
  return buildReport(seen);
}

export function formatNodeReport(nodes: readonly NodeReportEntry[]): string {
  return table([["NODE", "NAME", "PHASE", "CACHE"], ...nodes.map((n) => [n.id, n.name, n.phase, n.cache])]);
}

// Values are only turned into their JSON form (a file's URI, a struct's fields); nothing is read.
const noBlobs: TransformContext = {
  blobs: {
    read: (uri) => Promise.reject(new Error(`cannot read ${uri} while printing outputs`)),
    write: (uri) => Promise.reject(new Error(`cannot write ${uri} while printing outputs`)),
    list: (uri) => Promise.reject(new Error(`cannot list ${uri} while printing outputs`)),
  },
  rawOutputPrefix: "",
  scratchDir: tmpdir(),
};

/** A remote execution's outputs in the JSON form `aloft run --json` prints locally, read by the workflow's types. */
export async function outputsJson(outputs: SchemaMap, literals: core.LiteralMap | undefined): Promise<Record<string, unknown>> {
  const json: Record<string, unknown> = {};
  for (const [k, schema] of Object.entries(outputs)) {
    const l = literals?.literals[k];
    if (!l) throw new Error(`the execution has no output ${k}`);
    json[k] = schema.toJson(await schema.fromLiteral(l, noBlobs, `output ${k}`));
  }
  return json;
}

/**
 * The end of `aloft run --remote` with --nodes or --json: waits for the execution (quietly under --json), prints
 * its outputs (as the local run's JSON under --json), then the node report; a failed run still reports its nodes
 * (as {error, nodes} under --json).
 */
export async function finishWithReport(
  remote: Remote,
  id: core.WorkflowExecutionIdentifier,
  io: CommandIO,
  outputs: SchemaMap,
  options: { nodes: boolean; json: boolean; quiet?: boolean },
): Promise<number> {
  const ex = await watchExecution(remote, id, io, { quiet: options.json || (options.quiet ?? false) });
  const phase = executionPhase(ex.closure?.phase);
  const nodes = options.nodes ? await remoteNodeReport(remote, id) : undefined;
  if (phase !== "SUCCEEDED") {
    const error = `execution ${id.name} ${phase}${errorText(ex) ? `: ${errorText(ex)}` : ""}`;
    io.err(error);
    if (nodes && options.json) io.out(JSON.stringify({ error, nodes }));
    else if (nodes) io.err(formatNodeReport(nodes));
    return 1;
  }
  const data = await remote.admin.getExecutionData({ id });
  if (options.json) {
    const json = await outputsJson(outputs, data.fullOutputs);
    io.out(JSON.stringify(nodes ? { outputs: json, nodes } : json));
    return 0;
  }
  io.out(outputsText(data.fullOutputs));
  if (nodes) io.out(formatNodeReport(nodes));
  return 0;
}
