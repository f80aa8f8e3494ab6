// Workflows, tasks or launch plans registered in a project and domain, by name.
import { Link, useParams } from "react-router";
import { listEntityNames, type EntityKind } from "../api/client.ts";
import { useLoad } from "../api/use-load.ts";
import { scopePath } from "../paths.ts";

export const entityTitles: Record<EntityKind, string> = { workflows: "Workflows", tasks: "Tasks", launchplans: "Launch plans" };

export function isEntityKind(k: string | undefined): k is EntityKind {
  return k === "workflows" || k === "tasks" || k === "launchplans";
}

export default function EntityListPage() {
  const { project = "", domain = "", kind } = useParams();
  const { data, error } = useLoad(() => (isEntityKind(kind) ? listEntityNames({ project, domain }, kind) : Promise.resolve([])), [project, domain, kind]);
  if (!isEntityKind(kind)) return <p role="alert">Unknown section {kind}.</p>;
  return (
    <section>
      <h1>{entityTitles[kind]}</h1>
      {error && <p role="alert">Could not load {entityTitles[kind].toLowerCase()}: {error}</p>}
      {data && data.length === 0 && <p className="muted">None registered in this project and domain.</p>}
      <ul>
        {data?.map((n) => (
          <li key={n}>
            <Link to={`${scopePath(project, domain)}/${kind}/${encodeURIComponent(n)}`}>{n}</Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
