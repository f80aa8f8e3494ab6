// One execution: its phase live, the graph (laid out in a worker, drawn on demand), the node list, and the
// selected node's panel; terminate and relaunch (as it was, or edited in the launch form).
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { core } from "@aloft/idl";
import { getExecution, getWorkflow, listNodeExecutions, relaunchExecution, terminateExecution } from "../api/client.ts";
import { errorMessage, useLoad } from "../api/use-load.ts";
import { workflowGraph } from "../graph/graph-model.ts";
import { layoutInWorker } from "../graph/layout-client.ts";
import type { Positioned } from "../graph/layout.ts";
import { executionPath, launchPath, scopePath } from "../paths.ts";
import { ErrorView, NodePanel, cacheStatusName } from "./node-panel.tsx";
import { nodeInterfaces } from "./node-types.ts";
import { PhaseBadge, durationSeconds, formatDuration, isTerminal, nodePhaseName, timestampDate, workflowPhaseName } from "./phase.tsx";

const GraphView = lazy(() => import("../graph/graph-view.tsx"));
const LIST_LIMIT = 500;

export default function ExecutionPage() {
  const { project = "", domain = "", name = "" } = useParams();
  const scope = { project, domain };
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const selected = params.get("node") ?? undefined;
  const select = (id: string) => setParams({ node: id }, { replace: true });
  const [live, setLive] = useState(true);
  const exec = useLoad(() => getExecution(scope, name), [project, domain, name], live ? 2000 : undefined);
  const phase = exec.data?.closure?.phase ?? core.WorkflowExecution_Phase.UNDEFINED;
  const nodes = useLoad(() => listNodeExecutions(scope, name), [project, domain, name], live ? 2000 : undefined);
  const workflowId = exec.data?.closure?.workflowId;
  const workflow = useLoad(() => (workflowId ? getWorkflow(workflowId) : Promise.resolve(undefined)), [workflowId?.name, workflowId?.version]);
  const compiled = workflow.data?.closure?.compiledWorkflow;
  const graph = useMemo(() => (compiled?.primary ? workflowGraph(compiled.primary) : undefined), [compiled]);
  const ifaces = useMemo(() => nodeInterfaces(compiled), [compiled]);
  const [layout, setLayout] = useState<Positioned>();
  const [layoutError, setLayoutError] = useState<string>();
  const [actionError, setActionError] = useState<string>();

  useEffect(() => {
    // One more refresh after the execution ends picks up its last node events, then polling stops.
    if (exec.data && isTerminal(phase)) {
      const t = setTimeout(() => setLive(false), 2500);
      return () => clearTimeout(t);
    }
    setLive(true);
  }, [exec.data, phase]);
  useEffect(() => {
    if (!graph) return;
    let current = true;
    layoutInWorker(graph).then(
      (l) => current && setLayout(l),
      (e: unknown) => current && setLayoutError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [graph]);

  const byNode = useMemo(() => new Map((nodes.data ?? []).map((n) => [n.id!.nodeId, n])), [nodes.data]);
  const phases = useMemo(() => Object.fromEntries([...byNode].map(([id, n]) => [id, nodePhaseName(n.closure?.phase ?? 0)])), [byNode]);
  const error = exec.data?.closure?.outputResult.case === "error" ? exec.data.closure.outputResult.value : undefined;
  const lp = exec.data?.spec?.launchPlan;

  const act = async (f: () => Promise<void>) => {
    setActionError(undefined);
    try {
      await f();
    } catch (e) {
      setActionError(errorMessage(e));
    }
  };

  return (
    <section>
      <p className="muted">
        <Link to={`${scopePath(project, domain)}/executions`}>Executions</Link>
      </p>
      <h1>
        <span className="mono">{name}</span> {exec.data && <PhaseBadge name={workflowPhaseName(phase)} />}
      </h1>
      {exec.error && <p role="alert">Could not load the execution: {exec.error}</p>}
      {exec.data && (
        <>
          <dl className="kv">
            <dt>Launch plan</dt>
            <dd className="mono">
              {lp?.name} {lp?.version}
            </dd>
            <dt>Started</dt>
            <dd>{timestampDate(exec.data.closure?.startedAt)?.toLocaleString()}</dd>
            <dt>Duration</dt>
            <dd>{formatDuration(durationSeconds(exec.data.closure?.duration))}</dd>
          </dl>
          <div className="toolbar">
            {!isTerminal(phase) && (
              <button onClick={() => void act(() => terminateExecution(scope, name).then(exec.reload))}>Terminate</button>
            )}
            <button onClick={() => void act(async () => navigate(executionPath(project, domain, (await relaunchExecution(scope, name)).name)))}>Relaunch</button>
            {lp && <Link to={`${launchPath(project, domain, lp.name, lp.version)}&from=${encodeURIComponent(name)}`}>Relaunch with changes…</Link>}
          </div>
          {actionError && <p role="alert">{actionError}</p>}
          {error && <ErrorView error={error} />}
        </>
      )}
      <div className="execution-layout">
        <div>
          <h2>Graph</h2>
          {layoutError && <p role="alert">Could not lay out the graph: {layoutError}</p>}
          {graph && layout ? (
            <Suspense fallback={<div className="graph-box" />}>
              <GraphView graph={graph} layout={layout} phases={phases} selected={selected} onSelect={select} />
            </Suspense>
          ) : (
            <div className="graph-box" aria-busy="true" />
          )}
          <h2>Nodes</h2>
          <div className="node-list">
            <table aria-label="Nodes">
              <thead>
                <tr>
                  <th>Node</th>
                  <th>Phase</th>
                  <th>Cache</th>
                  <th>Duration</th>
                </tr>
              </thead>
              <tbody>
                {(nodes.data ?? []).slice(0, LIST_LIMIT).map((n) => {
                  const id = n.id!.nodeId;
                  return (
                    <tr key={id} aria-selected={id === selected} tabIndex={0} onClick={() => select(id)} onKeyDown={(e) => e.key === "Enter" && select(id)}>
                      <td className="mono">{id}</td>
                      <td>
                        <PhaseBadge name={nodePhaseName(n.closure?.phase ?? 0)} />
                      </td>
                      <td>{cacheStatusName(n)}</td>
                      <td>{formatDuration(durationSeconds(n.closure?.duration))}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {(nodes.data?.length ?? 0) > LIST_LIMIT && <p className="muted">First {LIST_LIMIT} of {nodes.data!.length} nodes.</p>}
          </div>
        </div>
        <div>
          {selected ? (
            <NodePanel scope={scope} execution={name} nodeId={selected} node={byNode.get(selected)} iface={ifaces.get(selected)} />
          ) : (
            <section className="panel">
              <p className="muted">Select a node in the graph or the list to see its inputs, outputs and errors.</p>
            </section>
          )}
        </div>
      </div>
    </section>
  );
}
