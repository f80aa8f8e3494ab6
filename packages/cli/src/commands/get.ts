// `aloft get`: lists projects, tasks, workflows, launch plans, executions and node executions on a server.
import { admin } from "@aloft/idl";
import { UsageError, type Command } from "../command.ts";
import { connect, takeCommonFlags } from "../remote/connection.ts";
import { cacheStatus, errorText, executionRow, nodePhase, outputsText, table, took, when } from "../remote/format.ts";

const usage = `Usage: aloft get <what> [name] [--limit n] [--filters expr] [--endpoint url] [--project p] [--domain d]

  projects                 registered projects
  workflows [name]         workflow names, or the versions of one
  tasks [name]             task names, or the versions of one
  launchplans [name]       launch plan names, or the versions of one
  executions               recent executions (--filters "eq(phase,SUCCEEDED)" etc.)
  execution <name>         one execution with its inputs and outputs
  nodes <execution>        node executions of an execution, with each task's cache status

Endpoint: --endpoint or ALOFT_ENDPOINT (default http://127.0.0.1:8088).`;

function option(rest: string[], name: string): string | undefined {
  const i = rest.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = rest[i + 1];
  if (v === undefined) throw new UsageError(`--${name} needs a value`);
  rest.splice(i, 2);
  return v;
}

export const get: Command = {
  name: "get",
  usage,
  async run(argv, io) {
    const { flags, rest } = takeCommonFlags(argv);
    const limitText = option(rest, "limit") ?? "50";
    if (!/^\d+$/.test(limitText) || Number(limitText) === 0) throw new UsageError(`--limit must be a positive integer, got ${JSON.stringify(limitText)}`);
    const limit = Number(limitText);
    const filters = option(rest, "filters") ?? "";
    const [what, name, ...extra] = rest;
    if (!what) throw new UsageError(usage);
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
    const r = connect(flags);
    const scope = { project: r.project, domain: r.domain };
    const byDate = { key: "created_at", direction: admin.Sort_Direction.DESCENDING };
    switch (what) {
      case "projects": {
        const res = await r.admin.listProjects({ limit, filters });
        io.out(table([["ID", "NAME", "DESCRIPTION"], ...res.projects.map((p) => [p.id, p.name, p.description])]));
        return 0;
      }
      case "tasks": {
        if (!name) {
          const res = await r.admin.listTaskIds({ ...scope, limit, filters });
          io.out(table([["NAME"], ...res.entities.map((e) => [e.name])]));
          return 0;
        }
        const res = await r.admin.listTasks({ id: { ...scope, name }, limit, filters, sortBy: byDate });
        io.out(table([["NAME", "VERSION", "TYPE", "CREATED"], ...res.tasks.map((t) => [t.id!.name, t.id!.version, t.closure?.compiledTask?.template?.type ?? "", when(t.closure?.createdAt)])]));
        return 0;
      }
      case "workflows":
      case "launchplans": {
        const wf = what === "workflows";
        if (!name) {
          const res = wf ? await r.admin.listWorkflowIds({ ...scope, limit, filters }) : await r.admin.listLaunchPlanIds({ ...scope, limit, filters });
          io.out(table([["NAME"], ...res.entities.map((e) => [e.name])]));
          return 0;
        }
        if (wf) {
          const res = await r.admin.listWorkflows({ id: { ...scope, name }, limit, filters, sortBy: byDate });
          io.out(table([["NAME", "VERSION", "CREATED"], ...res.workflows.map((w) => [w.id!.name, w.id!.version, when(w.closure?.createdAt)])]));
        } else {
          const res = await r.admin.listLaunchPlans({ id: { ...scope, name }, limit, filters, sortBy: byDate });
          io.out(table([["NAME", "VERSION", "STATE", "CREATED"], ...res.launchPlans.map((l) => [l.id!.name, l.id!.version, admin.LaunchPlanState[l.closure?.state ?? 0] ?? "", when(l.closure?.createdAt)])]));
        }
        return 0;
      }
      case "executions": {
        const res = await r.admin.listExecutions({ id: scope, limit, filters, sortBy: byDate });
        io.out(table([["NAME", "PHASE", "LAUNCH PLAN", "CREATED", "DURATION"], ...res.executions.map(executionRow)]));
        return 0;
      }
      case "execution": {
        if (!name) throw new UsageError("aloft get execution <name>");
        const id = { ...scope, name };
        const ex = await r.admin.getExecution({ id });
        const data = await r.admin.getExecutionData({ id });
        io.out(table([["NAME", "PHASE", "LAUNCH PLAN", "CREATED", "DURATION"], executionRow(ex)]));
        io.out(`inputs:  ${outputsText(data.fullInputs)}`);
        io.out(`outputs: ${outputsText(data.fullOutputs)}`);
        const err = errorText(ex);
        if (err) io.out(`error:   ${err}`);
        return 0;
      }
      case "nodes": {
        if (!name) throw new UsageError("aloft get nodes <execution>");
        const res = await r.admin.listNodeExecutions({ workflowExecutionId: { ...scope, name }, limit });
        io.out(table([["NODE", "PHASE", "STARTED", "DURATION", "CACHE"], ...res.nodeExecutions.map((n) => [n.id?.nodeId ?? "", nodePhase(n.closure?.phase), when(n.closure?.startedAt), took(n.closure?.duration), cacheStatus(n)])]));
        return 0;
      }
      default:
        throw new UsageError(`unknown kind ${JSON.stringify(what)}\n\n${usage}`);
    }
  },
};

