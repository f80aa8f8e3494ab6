// The console's only way to the server: Flyte's AdminService and DataProxyService over Connect (binary), the same
// API flytekit, flytectl and the aloft CLI use. Pages call the functions here, never a transport of their own.
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { create } from "@bufbuild/protobuf";
import { admin, core, service } from "@aloft/idl";

export type Admin = Client<typeof service.AdminService>;

const transport = createConnectTransport({
  baseUrl: typeof window === "undefined" ? "http://127.0.0.1:8088" : window.location.origin,
  useBinaryFormat: true,
});

export const adminClient: Admin = createClient(service.AdminService, transport);
export const dataProxyClient: Client<typeof service.DataProxyService> = createClient(service.DataProxyService, transport);

export interface Scope {
  project: string;
  domain: string;
}

export type EntityKind = "workflows" | "tasks" | "launchplans";

export const resourceTypes: Record<EntityKind, core.ResourceType> = {
  workflows: core.ResourceType.WORKFLOW,
  tasks: core.ResourceType.TASK,
  launchplans: core.ResourceType.LAUNCH_PLAN,
};

const newestFirst = (key = "created_at") => create(admin.SortSchema, { key, direction: admin.Sort_Direction.DESCENDING });

export async function listProjects(): Promise<admin.Project[]> {
  const res = await adminClient.listProjects({ limit: 500 });
  return res.projects;
}

/** Names registered in a project and domain (workflows, tasks or launch plans). */
export async function listEntityNames(scope: Scope, kind: EntityKind): Promise<string[]> {
  const req = { ...scope, limit: 1000, sortBy: create(admin.SortSchema, { key: "name", direction: admin.Sort_Direction.ASCENDING }) };
  const res = kind === "workflows" ? await adminClient.listWorkflowIds(req) : kind === "tasks" ? await adminClient.listTaskIds(req) : await adminClient.listLaunchPlanIds(req);
  return res.entities.map((e) => e.name);
}

export interface EntityVersion {
  id: core.Identifier;
  createdAt: Date | undefined;
  /** Inputs and outputs of the interface, each with its type. */
  inputs: { name: string; type: core.LiteralType | undefined; description: string }[];
  outputs: { name: string; type: core.LiteralType | undefined; description: string }[];
  launchPlan?: admin.LaunchPlan;
}

function variables(map: core.VariableMap | undefined) {
  return Object.entries(map?.variables ?? {}).map(([name, v]) => ({ name, type: v.type, description: v.description }));
}

export async function listEntityVersions(scope: Scope, kind: EntityKind, name: string, limit = 50): Promise<EntityVersion[]> {
  const req = { id: { ...scope, name }, limit, sortBy: newestFirst() };
  if (kind === "tasks") {
    const res = await adminClient.listTasks(req);
    return res.tasks.map((t) => ({
      id: t.id!,
      createdAt: t.closure?.createdAt ? new Date(Number(t.closure.createdAt.seconds) * 1000) : undefined,
      inputs: variables(t.closure?.compiledTask?.template?.interface?.inputs),
      outputs: variables(t.closure?.compiledTask?.template?.interface?.outputs),
    }));
  }
  if (kind === "workflows") {
    const res = await adminClient.listWorkflows(req);
    return res.workflows.map((w) => ({
      id: w.id!,
      createdAt: w.closure?.createdAt ? new Date(Number(w.closure.createdAt.seconds) * 1000) : undefined,
      inputs: variables(w.closure?.compiledWorkflow?.primary?.template?.interface?.inputs),
      outputs: variables(w.closure?.compiledWorkflow?.primary?.template?.interface?.outputs),
    }));
  }
  const res = await adminClient.listLaunchPlans(req);
  return res.launchPlans.map((lp) => ({
    id: lp.id!,
    createdAt: lp.closure?.createdAt ? new Date(Number(lp.closure.createdAt.seconds) * 1000) : undefined,
    inputs: variables(lp.closure?.expectedInputs ? { variables: Object.fromEntries(Object.entries(lp.closure.expectedInputs.parameters).map(([k, p]) => [k, p.var!])) } as core.VariableMap : undefined),
    outputs: variables(lp.closure?.expectedOutputs),
    launchPlan: lp,
  }));
}

export interface ExecutionQuery extends Scope {
  phases: core.WorkflowExecution_Phase[];
  /** Substring of the execution name. */
  name: string;
  sortKey: "created_at" | "started_at" | "duration" | "phase";
  ascending: boolean;
  token: string;
  limit: number;
}

/** Flyte's filter language: `value_in(phase,RUNNING;FAILED)+contains(execution_name,abc)`. */
export function executionFilters(q: Pick<ExecutionQuery, "phases" | "name">): string {
  const parts: string[] = [];
  if (q.phases.length > 0) parts.push(`value_in(phase,${q.phases.map((p) => core.WorkflowExecution_Phase[p]).join(";")})`);
  if (q.name.trim() !== "") parts.push(`contains(execution_name,${q.name.trim()})`);
  return parts.join("+");
}

export async function listExecutions(q: ExecutionQuery): Promise<{ executions: admin.Execution[]; token: string }> {
  const res = await adminClient.listExecutions({
    id: { project: q.project, domain: q.domain },
    limit: q.limit,
    token: q.token,
    filters: executionFilters(q),
    sortBy: create(admin.SortSchema, { key: q.sortKey, direction: q.ascending ? admin.Sort_Direction.ASCENDING : admin.Sort_Direction.DESCENDING }),
  });
  return { executions: res.executions, token: res.token };
}

export function executionId(scope: Scope, name: string): core.WorkflowExecutionIdentifier {
  return create(core.WorkflowExecutionIdentifierSchema, { ...scope, name });
}

export async function getExecution(scope: Scope, name: string): Promise<admin.Execution> {
  return adminClient.getExecution({ id: executionId(scope, name) });
}

export async function terminateExecution(scope: Scope, name: string, cause = "terminated from the console"): Promise<void> {
  await adminClient.terminateExecution({ id: executionId(scope, name), cause });
}

export async function listNodeExecutions(scope: Scope, name: string): Promise<admin.NodeExecution[]> {
  const all: admin.NodeExecution[] = [];
  let token = "";
  do {
    const res = await adminClient.listNodeExecutions({ workflowExecutionId: executionId(scope, name), limit: 5000, token });
    all.push(...res.nodeExecutions);
    token = res.token;
  } while (token !== "");
  return all;
}

export async function getNodeExecutionData(scope: Scope, name: string, nodeId: string): Promise<admin.NodeExecutionGetDataResponse> {
  return adminClient.getNodeExecutionData({ id: { nodeId, executionId: executionId(scope, name) } });
}

export async function listTaskExecutions(scope: Scope, name: string, nodeId: string): Promise<admin.TaskExecution[]> {
  const res = await adminClient.listTaskExecutions({ nodeExecutionId: { nodeId, executionId: executionId(scope, name) }, limit: 100 });
  return res.taskExecutions;
}

export async function getWorkflow(id: core.Identifier): Promise<admin.Workflow> {
  return adminClient.getWorkflow({ id });
}

export async function getLaunchPlan(scope: Scope, name: string, version: string): Promise<admin.LaunchPlan> {
  return adminClient.getLaunchPlan({ id: { resourceType: core.ResourceType.LAUNCH_PLAN, ...scope, name, version } });
}

/** The newest version of a launch plan by name. */
export async function latestLaunchPlan(scope: Scope, name: string): Promise<admin.LaunchPlan | undefined> {
  const res = await adminClient.listLaunchPlans({ id: { ...scope, name }, limit: 1, sortBy: newestFirst() });
  return res.launchPlans[0];
}

export async function createExecution(launchPlan: core.Identifier, inputs: core.LiteralMap, options: { overwriteCache: boolean; labels: Record<string, string> }): Promise<core.WorkflowExecutionIdentifier> {
  const res = await adminClient.createExecution({
    project: launchPlan.project,
    domain: launchPlan.domain,
    inputs,
    spec: { launchPlan, overwriteCache: options.overwriteCache, labels: { values: options.labels }, metadata: { mode: admin.ExecutionMetadata_ExecutionMode.MANUAL } },
  });
  return res.id!;
}

export async function relaunchExecution(scope: Scope, name: string): Promise<core.WorkflowExecutionIdentifier> {
  const res = await adminClient.relaunchExecution({ id: executionId(scope, name) });
  return res.id!;
}

/** A short-lived signed link to download a blob the server stores. */
export async function downloadLink(uri: string): Promise<string | undefined> {
  const res = await dataProxyClient.createDownloadLocation({ nativeUrl: uri });
  return res.signedUrl ? sameServer(res.signedUrl) : undefined;
}

/** An execution's inputs, in full (for relaunching with changes). */
export async function getExecutionInputs(scope: Scope, name: string): Promise<core.LiteralMap | undefined> {
  const res = await adminClient.getExecutionData({ id: executionId(scope, name) });
  return res.fullInputs;
}

// The server's own blob route is reached on the origin the page came from (the signed URL names the host the
// server was started with, which may be another name for the same server); other stores' URLs are used as given.
function sameServer(signedUrl: string): string {
  const u = new URL(signedUrl, window.location.origin);
  return u.pathname.startsWith("/blobs/") ? `${u.pathname}${u.search}` : signedUrl;
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Uploads a file chosen in the browser through DataProxy (CreateUploadLocation, then a PUT); returns its URI. */
export async function uploadFile(scope: Scope, file: File): Promise<string> {
  const loc = await dataProxyClient.createUploadLocation({ ...scope, filenameRoot: randomHex(16), filename: file.name });
  const res = await fetch(sameServer(loc.signedUrl), { method: "PUT", headers: { ...loc.headers, "content-type": "application/octet-stream" }, body: file });
  if (!res.ok) throw new Error(`upload failed: HTTP ${res.status} ${await res.text()}`);
  return loc.nativeUrl;
}

/** Activates a launch plan version (its schedule starts firing; the version active before is deactivated) or deactivates it. */
export async function setLaunchPlanActive(id: core.Identifier, active: boolean): Promise<void> {
  await adminClient.updateLaunchPlan({ id: { ...id, resourceType: core.ResourceType.LAUNCH_PLAN }, state: active ? admin.LaunchPlanState.ACTIVE : admin.LaunchPlanState.INACTIVE });
}
