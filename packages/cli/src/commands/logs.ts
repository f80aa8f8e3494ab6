// `aloft logs`: what an execution did, node by node: each task attempt's phase, log links and error.
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { UsageError, type Command } from "../command.ts";
import { connect, takeCommonFlags } from "../remote/connection.ts";
import { cacheStatus, errorText, executionPhase, nodePhase, took } from "../remote/format.ts";
import { watchExecution } from "../remote/watch.ts";

const usage = `Usage: aloft logs <execution> [--follow] [--endpoint url] [--project p] [--domain d]`;

export const logs: Command = {
  name: "logs",
  usage,
  async run(argv, io) {
    const { flags, rest } = takeCommonFlags(argv);
    const f = rest.indexOf("--follow");
    if (f >= 0) rest.splice(f, 1);
    const [name, ...extra] = rest;
    if (!name || extra.length > 0) throw new UsageError(usage);
    const r = connect(flags);
    const id = create(core.WorkflowExecutionIdentifierSchema, { project: r.project, domain: r.domain, name });
    const ex = f >= 0 ? await watchExecution(r, id, io) : await r.admin.getExecution({ id });
    io.out(`execution ${name}: ${executionPhase(ex.closure?.phase)}${errorText(ex) ? ` (${errorText(ex)})` : ""}`);
    const nodes = await r.admin.listNodeExecutions({ workflowExecutionId: id, limit: 1000 });
    for (const n of nodes.nodeExecutions) {
      const cache = cacheStatus(n);
      io.out(`node ${n.id?.nodeId}: ${nodePhase(n.closure?.phase)} ${took(n.closure?.duration)}${cache === "-" || cache === "DISABLED" ? "" : ` (cache ${cache})`}`);
      const tasks = await r.admin.listTaskExecutions({ nodeExecutionId: n.id, limit: 100 });
      for (const t of tasks.taskExecutions) {
        io.out(`  attempt ${t.id?.retryAttempt}: ${core.TaskExecution_Phase[t.closure?.phase ?? 0]} ${took(t.closure?.duration)}`);
        for (const l of t.closure?.logs ?? []) io.out(`    ${l.name}: ${l.uri}`);
        if (t.closure?.outputResult.case === "error") io.out(`    error ${t.closure.outputResult.value.code}: ${t.closure.outputResult.value.message}`);
      }
    }
    return 0;
  },
};
