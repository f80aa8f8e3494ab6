// CreateExecution under concurrency: creates that arrive together are recorded together, yet each keeps its own
// outcome, and what can change between creates (project state, matchable attributes) is read fresh every time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { admin, service } from "@aloft/idl";
import { RecordingLauncher, startHarness, type Harness } from "../harness.ts";
import { echoEntities, intLiteral } from "../fixtures/echo.ts";

let h: Harness;
let client: Client<typeof service.AdminService>;
const launcher = new RecordingLauncher();
const P = "grouped";
const D = "development";
const e = echoEntities(P, D, "v1");
const req = (name: string, extra: Record<string, unknown> = {}) => ({ project: P, domain: D, name, spec: { launchPlan: e.ids.launchPlan, ...extra }, inputs: { literals: { x: intLiteral(1) } } });
const outcome = (p: Promise<unknown>) => p.then(() => "ok", (x: unknown) => (x instanceof ConnectError ? Code[x.code] : String(x)));

beforeAll(async () => {
  h = await startHarness({ launcher });
  client = createClient(service.AdminService, createGrpcTransport({ baseUrl: h.server.url }));
  await client.registerProject({ project: { id: P, name: P } });
  await client.createTask(e.task);
  await client.createWorkflow(e.workflow);
  await client.createLaunchPlan(e.launchPlan);
});
afterAll(async () => h?.close());

describe("concurrent CreateExecution", () => {
  it("records concurrent creates, and a name taken (before or in the same group) is ALREADY_EXISTS for that request only", async () => {
    await client.createExecution(req("taken"));
    const names = ["c1", "dup", "c2", "dup", "taken", "c3", "dup"];
    const outcomes = await Promise.all(names.map((n) => outcome(client.createExecution(req(n)))));
    expect(outcomes.filter((o, i) => names[i] === "dup").sort()).toEqual(["AlreadyExists", "AlreadyExists", "ok"]);
    expect(outcomes.filter((o, i) => names[i] !== "dup")).toEqual(["ok", "ok", "AlreadyExists", "ok"]);
    const listed = await client.listExecutions({ id: { project: P, domain: D }, limit: 100 });
    expect(listed.executions.map((x) => x.id?.name).sort()).toEqual(["c1", "c2", "c3", "dup", "taken"]);
    // Launched once each: the refused duplicates never reached the engine.
    expect(launcher.launched.map((l) => l.id.name).sort()).toEqual(["c1", "c2", "c3", "dup", "taken"]);
  });

  it("fails only the request whose row the database refuses, not the others recorded with it", async () => {
    const bad = { metadata: { mode: admin.ExecutionMetadata_ExecutionMode.MANUAL, principal: "nul\u0000byte" } };
    const outcomes = await Promise.all([outcome(client.createExecution(req("good-1"))), outcome(client.createExecution(req("bad-1", bad))), outcome(client.createExecution(req("good-2")))]);
    expect(outcomes[0]).toBe("ok");
    expect(outcomes[1]).not.toBe("ok");
    expect(outcomes[2]).toBe("ok");
    const names = (await client.listExecutions({ id: { project: P, domain: D }, limit: 100 })).executions.map((x) => x.id?.name);
    expect(names).toContain("good-2");
    expect(names).not.toContain("bad-1");
  });

  it("applies matchable attributes as they are at each create, and refuses creates once the project is archived", async () => {
    const config = (maxParallelism: number) => client.updateProjectDomainAttributes({ attributes: { project: P, domain: D, matchingAttributes: { target: { case: "workflowExecutionConfig", value: { maxParallelism } } } } });
    const parallelism = async (name: string) => {
      await client.createExecution(req(name));
      return (await client.getExecution({ id: { project: P, domain: D, name } })).spec?.maxParallelism;
    };
    await config(5);
    expect(await parallelism("cfg-1")).toBe(5);
    await config(9);
    expect(await parallelism("cfg-2")).toBe(9);
    await client.deleteProjectDomainAttributes({ project: P, domain: D, resourceType: admin.MatchableResource.WORKFLOW_EXECUTION_CONFIG });
    expect(await parallelism("cfg-3")).toBe(0);
    await client.updateProject({ id: P, name: P, state: admin.Project_ProjectState.ARCHIVED });
    expect(await outcome(client.createExecution(req("after-archive")))).toBe("InvalidArgument");
    await client.updateProject({ id: P, name: P, state: admin.Project_ProjectState.ACTIVE });
    expect(await outcome(client.createExecution(req("after-restore")))).toBe("ok");
  });
});
