// Routes: every page has a deep link; pages are loaded on demand so the first page stays small.
import { lazy, Suspense } from "react";
import { Link, NavLink, Route, Routes, useParams } from "react-router";
import { ProjectsPage } from "./projects/projects-page.tsx";

const ExecutionsPage = lazy(() => import("./executions/executions-page.tsx"));
const ExecutionPage = lazy(() => import("./executions/execution-page.tsx"));
const EntityListPage = lazy(() => import("./entities/entity-list-page.tsx"));
const EntityPage = lazy(() => import("./entities/entity-page.tsx"));
const LaunchPage = lazy(() => import("./launch/launch-page.tsx"));

import { scopePath } from "./paths.ts";

function ScopeNav() {
  const { project, domain } = useParams();
  if (!project || !domain) return null;
  const base = scopePath(project, domain);
  return (
    <nav aria-label="Sections" className="scope-nav">
      <span className="scope">
        {project} / {domain}
      </span>
      <NavLink to={`${base}/executions`}>Executions</NavLink>
      <NavLink to={`${base}/workflows`}>Workflows</NavLink>
      <NavLink to={`${base}/tasks`}>Tasks</NavLink>
      <NavLink to={`${base}/launchplans`}>Launch plans</NavLink>
    </nav>
  );
}

export function App() {
  return (
    <div className="app">
      <header className="top">
        <Link to="/" className="brand">
          Aloft
        </Link>
        <Routes>
          <Route path="/projects/:project/domains/:domain/*" element={<ScopeNav />} />
          <Route path="*" element={null} />
        </Routes>
      </header>
      <main>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Routes>
            <Route path="/" element={<ProjectsPage />} />
            <Route path="/projects/:project/domains/:domain/executions" element={<ExecutionsPage />} />
            <Route path="/projects/:project/domains/:domain/executions/:name" element={<ExecutionPage />} />
            <Route path="/projects/:project/domains/:domain/launch/:name" element={<LaunchPage />} />
            <Route path="/projects/:project/domains/:domain/:kind" element={<EntityListPage />} />
            <Route path="/projects/:project/domains/:domain/:kind/:name" element={<EntityPage />} />
            <Route path="*" element={<p role="alert">No page at this address. <Link to="/">Projects</Link></p>} />
          </Routes>
        </Suspense>
      </main>
    </div>
  );
}
