// Deep links: every page's address is built here.
export const scopePath = (project: string, domain: string) => `/projects/${encodeURIComponent(project)}/domains/${encodeURIComponent(domain)}`;
export const executionPath = (project: string, domain: string, name: string) => `${scopePath(project, domain)}/executions/${encodeURIComponent(name)}`;
export const launchPath = (project: string, domain: string, name: string, version?: string) =>
  `${scopePath(project, domain)}/launch/${encodeURIComponent(name)}${version ? `?version=${encodeURIComponent(version)}` : ""}`;
