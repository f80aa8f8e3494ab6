// One workflow, task or launch plan: its versions, newest first, each with its interface; launch plans can be launched.
import { useState } from "react";
import { Link, useParams } from "react-router";
import { listEntityVersions } from "../api/client.ts";
import { useLoad } from "../api/use-load.ts";
import { InterfaceTable } from "./interface-table.tsx";
import { launchPath, scopePath } from "../paths.ts";
import { entityTitles, isEntityKind } from "./entity-list-page.tsx";

export default function EntityPage() {
  const { project = "", domain = "", kind, name = "" } = useParams();
  const { data, error } = useLoad(() => (isEntityKind(kind) ? listEntityVersions({ project, domain }, kind, name) : Promise.resolve([])), [project, domain, kind, name]);
  const [version, setVersion] = useState<string>();
  if (!isEntityKind(kind)) return <p role="alert">Unknown section {kind}.</p>;
  const shown = data?.find((v) => v.id.version === version) ?? data?.[0];
  const launchName = kind === "launchplans" ? name : kind === "workflows" ? name : undefined;
  return (
    <section>
      <p className="muted">
        <Link to={`${scopePath(project, domain)}/${kind}`}>{entityTitles[kind]}</Link>
      </p>
      <h1 className="mono">{name}</h1>
      {error && <p role="alert">Could not load versions: {error}</p>}
      {data && data.length === 0 && <p>No versions registered.</p>}
      {shown && (
        <>
          <div className="toolbar">
            <label>
              Version{" "}
              <select value={shown.id.version} onChange={(e) => setVersion(e.target.value)}>
                {data!.map((v) => (
                  <option key={v.id.version} value={v.id.version}>
                    {v.id.version} {v.createdAt ? `(${v.createdAt.toLocaleString()})` : ""}
                  </option>
                ))}
              </select>
            </label>
            {launchName !== undefined && (
              <Link to={launchPath(project, domain, launchName, kind === "launchplans" ? shown.id.version : undefined)}>Launch…</Link>
            )}
          </div>
          <h2>Inputs</h2>
          <InterfaceTable caption="Inputs" vars={shown.inputs} />
          <h2>Outputs</h2>
          <InterfaceTable caption="Outputs" vars={shown.outputs} />
          {shown.launchPlan && (
            <>
              <h2>Schedule</h2>
              <p>
                {shown.launchPlan.spec?.entityMetadata?.schedule?.ScheduleExpression.case
                  ? JSON.stringify(shown.launchPlan.spec.entityMetadata.schedule.ScheduleExpression.value)
                  : "No schedule."}{" "}
                State: {shown.launchPlan.closure?.state === 1 ? "active" : "inactive"}
              </p>
            </>
          )}
        </>
      )}
    </section>
  );
}
