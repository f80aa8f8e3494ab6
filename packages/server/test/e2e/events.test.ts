// The event API as an external reporter (flytepropeller) uses it: records are created and moved by events, with
// flyteadmin's rules for repeated, late and post-terminal events, and dynamic children listed under their task.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { core, service } from "@aloft/idl";
import { RecordingLauncher, startHarness, type Harness } from "../harness.ts";
import { echoEntities, intLiteral } from "../fixtures/echo.ts";

let h: Harness;
let client: Client<typeof service.AdminService>;
const e = echoEntities("events", "development", "v1");
const execId = { project: "events", domain: "development", name: "reported-1" };
const t0 = Date.parse("2026-03-01T10:00:00Z");

async function code(p: Promise<unknown>): Promise<Code | undefined> {
  return p.then(() => undefined, (x: unknown) => (x instanceof ConnectError ? x.code : undefined));
}

beforeAll(async () => {
  h = await startHarness({ launcher: new RecordingLauncher() });
  client = createClient(service.AdminService, createGrpcTransport({ baseUrl: h.server.url }));
  await client.registerProject({ project: { id: "events", name: "events" } });
  await client.createTask(e.task);
  await client.createWorkflow(e.workflow);
  await client.createLaunchPlan(e.launchPlan);
  await client.createExecution({ ...execId, spec: { launchPlan: e.ids.launchPlan }, inputs: { literals: { x: intLiteral(1) } } });
});
afterAll(async () => h?.close());

describe("events from an external reporter", () => {
  it("moves an execution through its phases with start time and duration, refusing repeats and post-terminal events", async () => {
    const wf = (phase: core.WorkflowExecution_Phase, ms: number) => client.createWorkflowEvent({ event: { executionId: execId, phase, occurredAt: timestampFromMs(t0 + ms), producerId: "propeller" } });
    await wf(core.WorkflowExecution_Phase.RUNNING, 0);
    expect(await code(wf(core.WorkflowExecution_Phase.RUNNING, 10))).toBe(Code.AlreadyExists);
    const node = (nodeId: string, phase: core.NodeExecution_Phase, ms: number, extra = {}) =>
      client.createNodeEvent({ event: { id: { executionId: execId, nodeId }, phase, occurredAt: timestampFromMs(t0 + ms), ...extra } });
    await node("n0", core.NodeExecution_Phase.RUNNING, 100);
    const taskId = { executionId: execId, nodeId: "n0" };
    const task = (phase: core.TaskExecution_Phase, version: number, ms: number, extra = {}) =>
      client.createTaskEvent({ event: { taskId: e.ids.task, parentNodeExecutionId: taskId, retryAttempt: 0, phase, phaseVersion: version, occurredAt: timestampFromMs(t0 + ms), ...extra } });
    await task(core.TaskExecution_Phase.RUNNING, 0, 150, { logs: [{ name: "stdout", uri: "file:///log/1" }] });
    expect(await code(task(core.TaskExecution_Phase.RUNNING, 0, 160))).toBe(Code.AlreadyExists);
    await task(core.TaskExecution_Phase.RUNNING, 1, 170, { logs: [{ name: "stderr", uri: "file:///log/2" }] });
    // A dynamic task's child, reported under the task execution as flytepropeller does.
    await node("n0-0-dn0", core.NodeExecution_Phase.SUCCEEDED, 200, { parentTaskMetadata: { id: { taskId: e.ids.task, nodeExecutionId: taskId, retryAttempt: 0 } } });
    await task(core.TaskExecution_Phase.SUCCEEDED, 0, 1150, { outputResult: { case: "outputUri", value: "file:///out.pb" } });
    expect(await code(task(core.TaskExecution_Phase.RUNNING, 5, 1200))).toBe(Code.FailedPrecondition);
    await node("n0", core.NodeExecution_Phase.SUCCEEDED, 1200);
    await wf(core.WorkflowExecution_Phase.SUCCEEDED, 2000);
    expect(await code(wf(core.WorkflowExecution_Phase.RUNNING, 2100))).toBe(Code.FailedPrecondition);

    const ex = await client.getExecution({ id: execId });
    expect(core.WorkflowExecution_Phase[ex.closure!.phase]).toBe("SUCCEEDED");
    expect(ex.closure?.duration?.seconds).toBe(2n);
    const top = await client.listNodeExecutions({ workflowExecutionId: execId, limit: 10 });
    expect(top.nodeExecutions.map((n) => n.id?.nodeId)).toEqual(["n0"]);
    expect(Number(top.nodeExecutions[0]!.closure!.duration!.nanos) / 1e6 + Number(top.nodeExecutions[0]!.closure!.duration!.seconds) * 1000).toBe(1100);
    const tasks = await client.listTaskExecutions({ nodeExecutionId: taskId, limit: 10 });
    expect(tasks.taskExecutions[0]!.closure!.logs.map((l) => l.name)).toEqual(["stdout", "stderr"]);
    const children = await client.listNodeExecutionsForTask({ taskExecutionId: { taskId: e.ids.task, nodeExecutionId: taskId, retryAttempt: 0 }, limit: 10 });
    expect(children.nodeExecutions.map((n) => n.id?.nodeId)).toEqual(["n0-0-dn0"]);
    const byParent = await client.listNodeExecutions({ workflowExecutionId: execId, limit: 10, uniqueParentId: "n0" });
    expect(byParent.nodeExecutions.map((n) => n.id?.nodeId)).toEqual(["n0-0-dn0"]);
  });

  it("refuses events for unknown executions and task events before their node event", async () => {
    expect(await code(client.createWorkflowEvent({ event: { executionId: { ...execId, name: "ghost" }, phase: core.WorkflowExecution_Phase.RUNNING } }))).toBe(Code.NotFound);
    expect(await code(client.createTaskEvent({ event: { taskId: e.ids.task, parentNodeExecutionId: { executionId: execId, nodeId: "n7" }, phase: core.TaskExecution_Phase.RUNNING } }))).toBe(Code.NotFound);
    expect(await code(client.createNodeEvent({ event: { id: { executionId: execId, nodeId: "" } } }))).toBe(Code.InvalidArgument);
  });

  it("keeps inputs an event carries inline and serves them as the node's and task's full inputs", async () => {
    const nodeExecutionId = { executionId: execId, nodeId: "n-inline" };
    const inputs = { literals: { x: intLiteral(7) } };
    await client.createNodeEvent({ event: { id: nodeExecutionId, phase: core.NodeExecution_Phase.QUEUED, occurredAt: timestampFromMs(t0 + 3000), inputValue: { case: "inputData", value: inputs } } });
    // A later event without inputs keeps what the first one gave.
    await client.createNodeEvent({ event: { id: nodeExecutionId, phase: core.NodeExecution_Phase.RUNNING, occurredAt: timestampFromMs(t0 + 3100) } });
    await client.createTaskEvent({ event: { taskId: e.ids.task, parentNodeExecutionId: nodeExecutionId, retryAttempt: 0, phase: core.TaskExecution_Phase.RUNNING, occurredAt: timestampFromMs(t0 + 3200), inputValue: { case: "inputData", value: inputs } } });
    const node = await client.getNodeExecutionData({ id: nodeExecutionId });
    expect(node.fullInputs?.literals.x).toEqual(intLiteral(7));
    const task = await client.getTaskExecutionData({ id: { taskId: e.ids.task, nodeExecutionId, retryAttempt: 0 } });
    expect(task.fullInputs?.literals.x).toEqual(intLiteral(7));
  });
});

