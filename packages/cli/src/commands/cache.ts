// `aloft cache explain|evict <execution> <node>`: why a task node of a server execution hit or missed the cache,
// and evicting its entry. The key is computed here with the engine's cache-key function from the node's task and
// recorded inputs, and looked up through the server's cache API.
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { cacheKey, explainMiss, type CacheKey } from "@aloft/engine";
import { UsageError, type Command, type CommandIO } from "../command.ts";
import { connect, takeCommonFlags, type Remote } from "../remote/connection.ts";
import { cacheStatus } from "../remote/format.ts";
import { RemoteCatalogStorage } from "../remote/cache-client.ts";

const usage = `Usage: aloft cache <explain|evict> <execution> <node> [--endpoint url] [--project p] [--domain d]

  explain <execution> <node>   the node's recorded cache status, its cache key, and whether the server's cache
                               holds an entry for it now (and if not, what differs from the nearest entries)
  evict <execution> <node>     removes the server's cache entry for the node's task and inputs, so the next run
                               computes it again

<node> is a top-level task node id as \`aloft get nodes\` lists it (n0, n1, …).`;

/** The node's task template and recorded inputs, read through AdminService. */
async function nodeTaskAndInputs(r: Remote, execution: string, nodeId: string): Promise<{ node: Awaited<ReturnType<Remote["admin"]["getNodeExecution"]>>; task: core.TaskTemplate; inputs: core.LiteralMap }> {
  const executionId = { project: r.project, domain: r.domain, name: execution };
  const ex = await r.admin.getExecution({ id: executionId });
  const node = await r.admin.getNodeExecution({ id: { nodeId, executionId } });
  const wfId = ex.closure?.workflowId;
  if (!wfId) throw new UsageError(`execution ${execution} names no workflow`);
  const wf = await r.admin.getWorkflow({ id: wfId });
  const compiled = wf.closure?.compiledWorkflow;
  const spec = compiled?.primary?.template?.nodes.find((n) => n.id === nodeId);
  if (!spec || spec.target.case !== "taskNode" || spec.target.value.reference.case !== "referenceId") {
    throw new UsageError(`node ${nodeId} of ${execution} is not a top-level task node of workflow ${wfId.name}`);
  }
  const ref = spec.target.value.reference.value;
  const task = compiled!.tasks.find((t) => t.template?.id?.name === ref.name && t.template.id.version === ref.version && t.template.id.project === ref.project && t.template.id.domain === ref.domain)?.template;
  if (!task) throw new UsageError(`task ${ref.name}@${ref.version} of node ${nodeId} is not in the workflow's closure`);
  if (task.metadata?.discoverable !== true) throw new UsageError(`node ${nodeId} runs task ${ref.name}, which is not cached`);
  const data = await r.admin.getNodeExecutionData({ id: { nodeId, executionId } });
  return { node, task, inputs: data.fullInputs ?? create(core.LiteralMapSchema, {}) };
}

function printKey(io: CommandIO, key: CacheKey): void {
  io.out(`  task:      ${key.task}`);
  io.out(`  version:   ${key.version || "(none)"}`);
  io.out(`  interface: ${key.signature}`);
  io.out(`  inputs:    ${key.inputs}`);
  for (const [name, h] of Object.entries(key.inputHashes).sort()) io.out(`    ${name}: ${h}`);
}

export const cache: Command = {
  name: "cache",
  usage,
  async run(argv, io) {
    const { flags, rest } = takeCommonFlags(argv);
    const [op, execution, nodeId, ...extra] = rest;
    if ((op !== "explain" && op !== "evict") || !execution || !nodeId || extra.length > 0) throw new UsageError(usage);
    const r = connect(flags);
    const storage = new RemoteCatalogStorage(flags.endpoint);
    const { node, task, inputs } = await nodeTaskAndInputs(r, execution, nodeId);
    const key = cacheKey(task, inputs);
    if (op === "evict") {
      const deleted = await storage.delete(key);
      io.out(deleted ? `evicted the cache entry of ${nodeId} (${key.task}, inputs ${key.inputs.slice(0, 12)}…)` : `no cache entry for ${nodeId} (${key.task}, inputs ${key.inputs.slice(0, 12)}…)`);
      return 0;
    }
    io.out(`node ${nodeId} of ${execution}: cache ${cacheStatus(node)}`);
    io.out("cache key:");
    printKey(io, key);
    const entry = await storage.find(key);
    if (entry) {
      const src = entry.sourceTaskExecution;
      io.out(`now: hit, cached by ${src ? `${src.execution.name} node ${src.nodeId} attempt ${src.retryAttempt}` : entry.sourceAction} at ${new Date(entry.createdAt).toISOString()}`);
    } else {
      io.out(`now: ${explainMiss(key, await storage.recent(key.task, 20))}`);
    }
    return 0;
  },
};
