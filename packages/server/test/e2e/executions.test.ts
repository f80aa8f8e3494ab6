// `aloft start` in process (embedded PGlite, filesystem blobs, the real engine): register over gRPC, launch over
// gRPC and REST, watch executions run to completion, and read node/task executions and outputs back.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, fromJson, toJson } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { admin, core, service } from "@aloft/idl";
import { startAloft, type Aloft } from "../../src/app.ts";
import { defaultConfig } from "../../src/config.ts";
import { echoEntities, intLiteral, stringLiteral } from "../fixtures/echo.ts";

let aloft: Aloft;
let dir: string;
let client: Client<typeof service.AdminService>;
let base: string;
const P = "flytesnacks";
const D = "development";
const e = echoEntities(P, D, "v1");

async function waitFor(name: string, timeoutMs = 20_000): Promise<admin.Execution> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ex = await client.getExecution({ id: { project: P, domain: D, name } });
    const phase = ex.closure?.phase ?? 0;
    if ([core.WorkflowExecution_Phase.SUCCEEDED, core.WorkflowExecution_Phase.FAILED, core.WorkflowExecution_Phase.ABORTED, core.WorkflowExecution_Phase.TIMED_OUT].includes(phase)) return ex;
    if (Date.now() > deadline) throw new Error(`execution ${name} still ${core.WorkflowExecution_Phase[phase]}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aloft-start-"));
  aloft = await startAloft({ ...defaultConfig(), port: 0, dataDir: dir, logLevel: "silent" });
  base = aloft.server.url;
  client = createClient(service.AdminService, createGrpcTransport({ baseUrl: base }));
  await aloft.ready;
  await client.createTask(e.task);
  await client.createWorkflow(e.workflow);
  await client.createLaunchPlan(e.launchPlan);
});
afterAll(async () => {
  await aloft?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("executions end to end", () => {
  it("runs a launch plan created over gRPC and records node and task executions from the engine's events", async () => {
    const res = await client.createExecution({ project: P, domain: D, spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(42) } } });
    const name = res.id!.name;
    expect(name).toMatch(/^a[bcdfghjklmnpqrstvwxz2456789]{19}$/);
    const ex = await waitFor(name);
    expect(core.WorkflowExecution_Phase[ex.closure!.phase]).toBe("SUCCEEDED");
    expect(ex.closure!.startedAt).toBeDefined();
    const data = await client.getExecutionData({ id: res.id });
    expect(data.fullOutputs?.literals.x).toEqual(intLiteral(42));
    expect(data.fullInputs?.literals.x).toEqual(intLiteral(42));
    const nodes = await client.listNodeExecutions({ workflowExecutionId: res.id, limit: 100 });
    const n0 = nodes.nodeExecutions.find((n) => n.id?.nodeId === "n0");
    expect(n0 && core.NodeExecution_Phase[n0.closure!.phase]).toBe("SUCCEEDED");
    const tasks = await client.listTaskExecutions({ nodeExecutionId: n0!.id, limit: 10 });
    expect(tasks.taskExecutions.map((t) => [t.id?.retryAttempt, core.TaskExecution_Phase[t.closure!.phase]])).toEqual([[0, "SUCCEEDED"]]);
    const nodeData = await client.getNodeExecutionData({ id: n0!.id });
    expect(nodeData.fullOutputs?.literals.x).toEqual(intLiteral(42));
  });

  it("launches over REST with protobuf JSON and lists with Flyte filters", async () => {
    const body = toJson(admin.ExecutionCreateRequestSchema, create(admin.ExecutionCreateRequestSchema, { project: P, domain: D, name: "rest-run-1", spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(7) } } }));
    const res = await fetch(`${base}/api/v1/executions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    const created = fromJson(admin.ExecutionCreateResponseSchema, (await res.json()) as never);
    expect(created.id?.name).toBe("rest-run-1");
    await waitFor("rest-run-1");
    const filters = encodeURIComponent("eq(phase,SUCCEEDED)+gte(created_at,2020-01-01T00:00:00Z)+eq(launch_plan.name,echo.wf)+value_in(name,rest-run-1;nothing)");
    const list = await fetch(`${base}/api/v1/executions/${P}/${D}?limit=10&filters=${filters}&sort_by.key=created_at&sort_by.direction=DESCENDING`);
    expect(list.status).toBe(200);
    const json = (await list.json()) as { executions: { id: { name: string } }[] };
    expect(json.executions.map((x) => x.id.name)).toEqual(["rest-run-1"]);
  });

  it("treats filter injection attempts as plain values or rejects them, and the table survives", async () => {
    const attempts = ["eq(name,x' or '1'='1)", "eq(name,x'); drop table admin_executions; --)", "contains(name,%)"];
    for (const f of attempts) {
      // Either the text is a value that matches nothing, or the expression is refused; never SQL.
      const r = await client.listExecutions({ id: { project: P, domain: D }, limit: 100, filters: f }).catch((err) => err);
      if (r instanceof ConnectError) expect(r.code).toBe(Code.InvalidArgument);
      else expect(r.executions).toEqual([]);
    }
    const bad = await client.listExecutions({ id: { project: P, domain: D }, limit: 10, filters: "eq(1=1;--,x)" }).catch((err) => err);
    expect((bad as ConnectError).code).toBe(Code.InvalidArgument);
    const all = await client.listExecutions({ id: { project: P, domain: D }, limit: 100 });
    expect(all.executions.length).toBeGreaterThanOrEqual(2);
  });

  it("rejects wrong input types, unknown inputs and missing required inputs, naming the input, and writes no row", async () => {
    const cases: [Record<string, core.Literal>, string][] = [
      [{ x: stringLiteral("nope") }, "inputs.x: wrong type"],
      [{ x: intLiteral(1), y: intLiteral(2) }, "inputs.y"],
      [{}, "inputs.x: required input is missing"],
    ];
    for (const [literals, message] of cases) {
      const err = await client.createExecution({ project: P, domain: D, name: "bad-input", spec: { launchPlan: e.ids.launchPlan }, inputs: { literals } }).catch((x) => x);
      expect((err as ConnectError).code).toBe(Code.InvalidArgument);
      expect((err as ConnectError).rawMessage).toContain(message);
    }
    const missing = await client.getExecution({ id: { project: P, domain: D, name: "bad-input" } }).catch((x) => x);
    expect((missing as ConnectError).code).toBe(Code.NotFound);
  });

  it("names the unknown project first when the launch plan is unknown too, and writes no row", async () => {
    const unknownLp = { ...e.ids.launchPlan, name: "no-such-plan" };
    const both = await client.createExecution({ project: "no-such-project", domain: D, name: "bad-project", spec: { launchPlan: unknownLp } }).catch((x) => x);
    expect((both as ConnectError).code).toBe(Code.InvalidArgument);
    expect((both as ConnectError).rawMessage).toContain("project [no-such-project]");
    const lpOnly = await client.createExecution({ project: P, domain: D, name: "bad-plan", spec: { launchPlan: unknownLp } }).catch((x) => x);
    expect((lpOnly as ConnectError).rawMessage).toContain("is not registered");
    for (const name of ["bad-project", "bad-plan"]) {
      const missing = await client.getExecution({ id: { project: P, domain: D, name } }).catch((x) => x);
      expect((missing as ConnectError).code).toBe(Code.NotFound);
    }
  });

  it("refuses executions in an archived project at once, and takes them again once it is active", async () => {
    const create = (name: string) => client.createExecution({ project: P, domain: D, name, spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(3) } } });
    await create("before-archive");
    const project = (await client.listProjects({})).projects.find((p) => p.id === P)!;
    await client.updateProject({ ...project, domains: [], state: admin.Project_ProjectState.ARCHIVED });
    const refused = await create("while-archived").catch((x) => x);
    expect((refused as ConnectError).code).toBe(Code.InvalidArgument);
    expect((refused as ConnectError).rawMessage).toContain("is not active");
    await client.updateProject({ ...project, domains: [], state: admin.Project_ProjectState.ACTIVE });
    await create("after-archive");
  });

  it("refuses a second execution with the same name and terminating a finished one", async () => {
    const dup = await client.createExecution({ project: P, domain: D, name: "rest-run-1", spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(7) } } }).catch((x) => x);
    expect((dup as ConnectError).code).toBe(Code.AlreadyExists);
    const term = await client.terminateExecution({ id: { project: P, domain: D, name: "rest-run-1" }, cause: "test" }).catch((x) => x);
    expect((term as ConnectError).code).toBe(Code.FailedPrecondition);
  });

  it("runs a single task directly and relaunches an execution", async () => {
    const res = await client.createExecution({ project: P, domain: D, spec: { launchPlan: e.ids.task }, inputs: { literals: { x: intLiteral(5) } } });
    const ex = await waitFor(res.id!.name);
    expect(core.WorkflowExecution_Phase[ex.closure!.phase]).toBe("SUCCEEDED");
    expect(ex.closure?.workflowId?.name).toBe(".flytegen.echo.t");
    const again = await client.relaunchExecution({ id: res.id, name: "relaunched-1" });
    const ex2 = await waitFor(again.id!.name);
    expect(ex2.spec?.metadata?.mode).toBe(admin.ExecutionMetadata_ExecutionMode.RELAUNCH);
    expect(ex2.spec?.metadata?.referenceExecution?.name).toBe(res.id!.name);
    const data = await client.getExecutionData({ id: again.id });
    expect(data.fullOutputs?.literals.x).toEqual(intLiteral(5));
  });

  it("records the child execution of a launch-plan node with its parent, and the parent gets its outputs", async () => {
    const parentWf = create(admin.WorkflowCreateRequestSchema, {
      id: { ...e.ids.workflow, name: "parent.wf" },
      spec: {
        template: {
          id: { ...e.ids.workflow, name: "parent.wf" },
          interface: e.workflow.spec!.template!.interface,
          metadata: {},
          metadataDefaults: {},
          nodes: [
            {
              id: "n0",
              metadata: { name: "child", retries: {} },
              inputs: [{ var: "x", binding: { value: { case: "promise", value: { nodeId: "start-node", var: "x" } } } }],
              target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: e.ids.launchPlan } } },
            },
          ],
          outputs: [{ var: "x", binding: { value: { case: "promise", value: { nodeId: "n0", var: "x" } } } }],
        },
      },
    });
    await client.createWorkflow(parentWf);
    const lpId = { ...e.ids.launchPlan, name: "parent.wf" };
    await client.createLaunchPlan({ id: lpId, spec: { workflowId: parentWf.id, entityMetadata: {} } });
    const res = await client.createExecution({ project: P, domain: D, name: "parent-1", spec: { launchPlan: lpId }, inputs: { literals: { x: intLiteral(9) } } });
    const ex = await waitFor(res.id!.name);
    expect(core.WorkflowExecution_Phase[ex.closure!.phase]).toBe("SUCCEEDED");
    expect((await client.getExecutionData({ id: res.id })).fullOutputs?.literals.x).toEqual(intLiteral(9));
    const children = await client.listExecutions({ id: { project: P, domain: D }, limit: 10, filters: "eq(mode,4)+eq(launch_plan.name,echo.wf)" });
    const child = children.executions.find((c) => c.spec?.metadata?.parentNodeExecution?.executionId?.name === "parent-1");
    expect(child?.spec?.metadata?.parentNodeExecution?.nodeId).toBe("n0");
    expect(core.WorkflowExecution_Phase[child!.closure!.phase]).toBe("SUCCEEDED");
  });

  it("lists a gate node's signal, checks the value's type, and resumes the execution when it is set", async () => {
    const int = create(core.LiteralTypeSchema, { type: { case: "simple", value: core.SimpleType.INTEGER } });
    const wfId = { ...e.ids.workflow, name: "gated.wf" };
    await client.createWorkflow({
      id: wfId,
      spec: {
        template: {
          id: wfId,
          interface: { inputs: { variables: {} }, outputs: { variables: { x: { type: int } } } },
          metadata: {},
          metadataDefaults: {},
          nodes: [{ id: "n0", metadata: { name: "wait" }, target: { case: "gateNode", value: { condition: { case: "signal", value: { signalId: "go", type: int, outputVariableName: "o0" } } } } }],
          outputs: [{ var: "x", binding: { value: { case: "promise", value: { nodeId: "n0", var: "o0" } } } }],
        },
      },
    });
    const lpId = { ...e.ids.launchPlan, name: "gated.wf" };
    await client.createLaunchPlan({ id: lpId, spec: { workflowId: wfId, entityMetadata: {} } });
    const res = await client.createExecution({ project: P, domain: D, name: "gated-1", spec: { launchPlan: lpId } });
    const signals = createClient(service.SignalService, createGrpcTransport({ baseUrl: base }));
    const listed = await signals.listSignals({ workflowExecutionId: res.id, limit: 10 });
    expect(listed.signals.map((s) => [s.id?.signalId, s.type?.type.case, s.value])).toEqual([["go", "simple", undefined]]);
    const wrong = await signals.setSignal({ id: { executionId: res.id, signalId: "go" }, value: stringLiteral("five") }).catch((x) => x);
    expect((wrong as ConnectError).code).toBe(Code.InvalidArgument);
    expect((wrong as ConnectError).rawMessage).toContain("signal go expects");
    const unknown = await signals.setSignal({ id: { executionId: res.id, signalId: "nope" }, value: intLiteral(1) }).catch((x) => x);
    expect((unknown as ConnectError).code).toBe(Code.NotFound);
    await signals.setSignal({ id: { executionId: res.id, signalId: "go" }, value: intLiteral(5) });
    const ex = await waitFor("gated-1");
    expect(core.WorkflowExecution_Phase[ex.closure!.phase]).toBe("SUCCEEDED");
    expect((await client.getExecutionData({ id: res.id })).fullOutputs?.literals.x).toEqual(intLiteral(5));
    const again = await signals.setSignal({ id: { executionId: res.id, signalId: "go" }, value: intLiteral(6) }).catch((x) => x);
    expect((again as ConnectError).code).toBe(Code.FailedPrecondition);
  });

  it("records a terminated execution as ABORTED with the cause as its abort metadata, as flyteadmin does", async () => {
    // The gated workflow of the test above waits for a signal that never comes here.
    const lpId = { ...e.ids.launchPlan, name: "gated.wf" };
    const res = await client.createExecution({ project: P, domain: D, name: "gated-stopped", spec: { launchPlan: lpId } });
    await client.terminateExecution({ id: res.id, cause: "stopped by the test" });
    const ex = await waitFor("gated-stopped");
    expect(core.WorkflowExecution_Phase[ex.closure!.phase]).toBe("ABORTED");
    expect(ex.closure!.outputResult.case).toBe("abortMetadata");
    expect(ex.closure!.outputResult.case === "abortMetadata" && ex.closure!.outputResult.value.cause).toBe("stopped by the test");
  });

  it("applies execution config from matchable attributes, the most specific level winning, unless the request sets it", async () => {
    await client.updateProjectDomainAttributes({ attributes: { project: P, domain: D, matchingAttributes: { target: { case: "workflowExecutionConfig", value: { maxParallelism: 7, labels: { values: { team: "data" } } } } } } });
    await client.updateWorkflowAttributes({ attributes: { project: P, domain: D, workflow: "echo.wf", matchingAttributes: { target: { case: "workflowExecutionConfig", value: { maxParallelism: 3 } } } } });
    const got = await client.getProjectDomainAttributes({ project: P, domain: D, resourceType: admin.MatchableResource.WORKFLOW_EXECUTION_CONFIG });
    expect(got.attributes?.matchingAttributes?.target.case).toBe("workflowExecutionConfig");
    const a = await client.createExecution({ project: P, domain: D, name: "configured-1", spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(1) } } });
    const b = await client.createExecution({ project: P, domain: D, name: "configured-2", spec: { launchPlan: e.ids.launchPlan, maxParallelism: 11 }, inputs: { literals: { x: intLiteral(1) } } });
    expect((await client.getExecution({ id: a.id })).spec?.maxParallelism).toBe(3);
    expect((await client.getExecution({ id: b.id })).spec?.maxParallelism).toBe(11);
    await client.deleteWorkflowAttributes({ project: P, domain: D, workflow: "echo.wf", resourceType: admin.MatchableResource.WORKFLOW_EXECUTION_CONFIG });
    const c = await client.createExecution({ project: P, domain: D, name: "configured-3", spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(1) } } });
    const spec = (await client.getExecution({ id: c.id })).spec;
    expect([spec?.maxParallelism, spec?.labels?.values.team]).toEqual([7, "data"]);
    await client.deleteProjectDomainAttributes({ project: P, domain: D, resourceType: admin.MatchableResource.WORKFLOW_EXECUTION_CONFIG });
    for (const n of ["configured-1", "configured-2", "configured-3"]) await waitFor(n);
  });

  it("activates a launch plan with REST PUT (path parameters merged into the body) and terminates with REST DELETE", async () => {
    const id = e.ids.launchPlan;
    const put = await fetch(`${base}/api/v1/launch_plans/${id.project}/${id.domain}/${id.name}/${id.version}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ state: "ACTIVE" }) });
    expect(put.status).toBe(200);
    const active = await fetch(`${base}/api/v1/active_launch_plans/${id.project}/${id.domain}/${id.name}`);
    expect(((await active.json()) as { closure: { state: string } }).closure.state).toBe("ACTIVE");
    const gone = await fetch(`${base}/api/v1/executions/${P}/${D}/no-such-run`, { method: "DELETE", headers: { "content-type": "application/json" }, body: JSON.stringify({ cause: "x" }) });
    expect(gone.status).toBe(404);
  });
});
