// The start page: every project with its domains, each a link to that scope's executions.
import { Link } from "react-router";
import { listProjects } from "../api/client.ts";
import { useLoad } from "../api/use-load.ts";

const scopeLink = (project: string, domain: string) => `/projects/${encodeURIComponent(project)}/domains/${encodeURIComponent(domain)}/executions`;

export function ProjectsPage() {
  const { data, error } = useLoad(listProjects, []);
  return (
    <section>
      <h1>Projects</h1>
      {error && <p role="alert">Could not load projects: {error}</p>}
      {data && data.length === 0 && <p>No projects yet. Register one with `aloft register` or `pyflyte register`.</p>}
      <ul className="cards">
        {data?.map((p) => (
          <li key={p.id} className="card">
            <h2>{p.name || p.id}</h2>
            {p.description && <p className="muted">{p.description}</p>}
            <ul className="domains" aria-label={`Domains of ${p.id}`}>
              {p.domains.map((d) => (
                <li key={d.id}>
                  <Link to={scopeLink(p.id, d.id)}>{d.name || d.id}</Link>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
}
