// `aloft logs`: what an execution did, node by node: each task attempt's phase, its output (stdout and stderr as
// the engine captured them, read through the server's DataProxy), other log links, and its error.
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { UsageError, type Command } from "../command.ts";
import { TASK_OUTPUT_LOG } from "@aloft/engine";
import { connect, takeCommonFlags, type Remote } from "../remote/connection.ts";
import { cacheStatus, errorText, executionPhase, nodePhase, took } from "../remote/format.ts";
import { watchExecution } from "../remote/watch.ts";

const indent = (text: string, by: string) => text.replace(/\n$/, "").split("\n").map((l) => by + l).join("\n");

/** A captured output blob, fetched from the URL the server signs for it (CreateDownloadLocation). */
async function readLog(r: Remote, uri: string): Promise<string> {
  try {
    const loc = await r.dataProxy.createDownloadLocation({ nativeUrl: uri, expiresIn: { seconds: 300n } });
    const res = await fetch(loc.signedUrl);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return await res.text();
  } catch (e) {
    return `(cannot read ${uri}: ${(e as Error).message})`;
  }
}

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
        for (const l of t.closure?.logs ?? []) {
          if (l.name === TASK_OUTPUT_LOG) io.out(`    ${l.name}:\n${indent(await readLog(r, l.uri), "      ")}`);
          else io.out(`    ${l.name}: ${l.uri}`);
        }
        if (t.closure?.outputResult.case === "error") io.out(`    error ${t.closure.outputResult.value.code}: ${t.closure.outputResult.value.message}`);
      }
    }
    return 0;
  },
};
