// The executions of a project and domain: filter by phase and name, sort, page through with the server's tokens,
// phases refreshed live, and terminate one or many.
import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { core } from "@aloft/idl";
import { listExecutions, terminateExecution, type ExecutionQuery } from "../api/client.ts";
import { errorMessage, useLoad } from "../api/use-load.ts";
import { executionPath } from "../paths.ts";
import { PhaseBadge, durationSeconds, formatDuration, isTerminal, timestampDate, workflowPhaseName } from "./phase.tsx";

const P = core.WorkflowExecution_Phase;
const filterPhases = [P.QUEUED, P.RUNNING, P.SUCCEEDED, P.FAILED, P.ABORTED, P.TIMED_OUT];
const sortKeys: { key: ExecutionQuery["sortKey"]; label: string }[] = [
  { key: "created_at", label: "Created" },
  { key: "started_at", label: "Started" },
  { key: "duration", label: "Duration" },
  { key: "phase", label: "Phase" },
];
const PAGE = 25;

export default function ExecutionsPage() {
  const { project = "", domain = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const phases = (params.get("phase") ?? "").split(",").filter(Boolean).map((n) => P[n as keyof typeof P]).filter((p) => p !== undefined);
  const name = params.get("name") ?? "";
  const sortKey = (params.get("sort") ?? "created_at") as ExecutionQuery["sortKey"];
  const ascending = params.get("order") === "asc";
  // Tokens of the pages before this one, so "Previous" works without the server keeping state.
  const [tokens, setTokens] = useState<string[]>([""]);
  const token = tokens[tokens.length - 1]!;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [actionError, setActionError] = useState<string>();
  const key = [project, domain, phases.join(","), name, sortKey, ascending, token];
  const { data, error, reload } = useLoad(() => listExecutions({ project, domain, phases, name, sortKey, ascending, token, limit: PAGE }), key, 3000);

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) v ? next.set(k, v) : next.delete(k);
    setParams(next, { replace: true });
    setTokens([""]);
  };
  const togglePhase = (p: core.WorkflowExecution_Phase) => {
    const set = new Set(phases);
    set.has(p) ? set.delete(p) : set.add(p);
    update({ phase: [...set].map((x) => P[x]).join(",") || undefined });
  };
  const sortBy = (k: ExecutionQuery["sortKey"]) => update({ sort: k, order: k === sortKey && !ascending ? "asc" : undefined });
  const terminate = async (names: string[]) => {
    setActionError(undefined);
    try {
      await Promise.all(names.map((n) => terminateExecution({ project, domain }, n)));
      setSelected(new Set());
    } catch (e) {
      setActionError(errorMessage(e));
    }
    reload();
  };

  return (
    <section>
      <h1>Executions</h1>
      <div className="toolbar">
        <fieldset>
          <legend>Phase</legend>
          {filterPhases.map((p) => (
            <label key={p}>
              <input type="checkbox" checked={phases.includes(p)} onChange={() => togglePhase(p)} /> {P[p]}
            </label>
          ))}
        </fieldset>
        <label>
          Name contains <input type="search" defaultValue={name} onChange={(e) => update({ name: e.target.value || undefined })} aria-label="Execution name contains" />
        </label>
        <button disabled={selected.size === 0} onClick={() => void terminate([...selected])}>
          Terminate selected ({selected.size})
        </button>
      </div>
      {error && <p role="alert">Could not load executions: {error}</p>}
      {actionError && <p role="alert">Terminate failed: {actionError}</p>}
      <table aria-label="Executions">
        <thead>
          <tr>
            <th><span className="visually-hidden">Select</span></th>
            <th>Name</th>
            <th>Launch plan</th>
            {sortKeys.map((s) => (
              <th key={s.key} aria-sort={sortKey === s.key ? (ascending ? "ascending" : "descending") : "none"}>
                <button onClick={() => sortBy(s.key)}>
                  {s.label} {sortKey === s.key ? (ascending ? "▲" : "▼") : ""}
                </button>
              </th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {data?.executions.map((e) => {
            const id = e.id!;
            const phase = e.closure?.phase ?? P.UNDEFINED;
            return (
              <tr key={id.name}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${id.name}`}
                    disabled={isTerminal(phase)}
                    checked={selected.has(id.name)}
                    onChange={() => setSelected((s) => (s.has(id.name) ? new Set([...s].filter((x) => x !== id.name)) : new Set([...s, id.name])))}
                  />
                </td>
                <td>
                  <Link to={executionPath(project, domain, id.name)}>{id.name}</Link>
                </td>
                <td className="mono">{e.spec?.launchPlan?.name}</td>
                <td>{timestampDate(e.closure?.createdAt)?.toLocaleString()}</td>
                <td>{timestampDate(e.closure?.startedAt)?.toLocaleString()}</td>
                <td>{formatDuration(durationSeconds(e.closure?.duration))}</td>
                <td>
                  <PhaseBadge name={workflowPhaseName(phase)} />
                </td>
                <td>{!isTerminal(phase) && <button onClick={() => void terminate([id.name])}>Terminate</button>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {data && data.executions.length === 0 && <p className="muted">No executions match.</p>}
      <div className="toolbar">
        <button disabled={tokens.length <= 1} onClick={() => setTokens((t) => t.slice(0, -1))}>
          Previous
        </button>
        <button disabled={!data?.token} onClick={() => data?.token && setTokens((t) => [...t, data.token])}>
          Next
        </button>
      </div>
    </section>
  );
}
