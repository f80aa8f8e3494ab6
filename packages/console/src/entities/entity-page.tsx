// One workflow, task or launch plan: its versions, newest first, each with its interface; launch plans can be launched.
import { useState } from "react";
import { Link, useParams } from "react-router";
import { admin } from "@aloft/idl";
import { listEntityVersions, setLaunchPlanActive } from "../api/client.ts";
import { errorMessage, useLoad } from "../api/use-load.ts";
import { InterfaceTable } from "./interface-table.tsx";
import { launchPath, scopePath } from "../paths.ts";
import { entityTitles, isEntityKind } from "./entity-list-page.tsx";

export default function EntityPage() {
  const { project = "", domain = "", kind, name = "" } = useParams();
  const { data, error, reload } = useLoad(() => (isEntityKind(kind) ? listEntityVersions({ project, domain }, kind, name) : Promise.resolve([])), [project, domain, kind, name]);
  const [version, setVersion] = useState<string>();
  const [actionError, setActionError] = useState<string>();
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
              <p>{scheduleText(shown.launchPlan)}</p>
              <p>
                State: <strong data-testid="launch-plan-state">{shown.launchPlan.closure?.state === admin.LaunchPlanState.ACTIVE ? "active" : "inactive"}</strong>{" "}
                <button
                  onClick={async () => {
                    setActionError(undefined);
                    try {
                      await setLaunchPlanActive(shown.id, shown.launchPlan!.closure?.state !== admin.LaunchPlanState.ACTIVE);
                    } catch (e) {
                      setActionError(errorMessage(e));
                    }
                    reload();
                  }}
                >
                  {shown.launchPlan.closure?.state === admin.LaunchPlanState.ACTIVE ? "Deactivate" : "Activate"}
                </button>
              </p>
              {actionError && <p role="alert">{actionError}</p>}
            </>
          )}
        </>
      )}
    </section>
  );
}

function scheduleText(lp: admin.LaunchPlan): string {
  const s = lp.spec?.entityMetadata?.schedule;
  switch (s?.ScheduleExpression.case) {
    case "cronSchedule":
      return `cron ${s.ScheduleExpression.value.schedule}${s.ScheduleExpression.value.offset ? ` (offset ${s.ScheduleExpression.value.offset})` : ""}`;
    case "cronExpression":
      return `cron ${s.ScheduleExpression.value}`;
    case "rate":
      return `every ${s.ScheduleExpression.value.value} ${admin.FixedRateUnit[s.ScheduleExpression.value.unit]?.toLowerCase() ?? "units"}`;
    default:
      return "No schedule.";
  }
}
