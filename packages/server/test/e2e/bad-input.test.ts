// Bad input on every transport, against PostgreSQL: the right status, a message naming the field, nothing
// half-written, and a server that keeps answering.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clone, create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { admin, core, service } from "@aloft/idl";
import { startHarness, type Harness } from "../harness.ts";
import { echoEntities } from "../fixtures/echo.ts";

let h: Harness;
let client: Client<typeof service.AdminService>;
const e = echoEntities("pgproj", "development", "v1");

async function code(p: Promise<unknown>): Promise<[Code, string]> {
  const err = await p.then(() => undefined, (x: unknown) => x);
  if (!(err instanceof ConnectError)) throw new Error(`expected a ConnectError, got ${String(err)}`);
  return [err.code, err.rawMessage];
}

beforeAll(async () => {
  h = await startHarness({ postgres: true });
  client = createClient(service.AdminService, createGrpcTransport({ baseUrl: h.server.url }));
  await client.registerProject({ project: { id: "pgproj", name: "pg project" } });
});
afterAll(async () => h?.close());

describe("bad input", () => {
  it("rejects malformed JSON, unknown fields and wrong types on REST with 400 naming the problem", async () => {
    const post = (body: string) => fetch(`${h.server.url}/api/v1/projects`, { method: "POST", headers: { "content-type": "application/json" }, body });
    let r = await post("{not json");
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toContain("not valid JSON");
    r = await post(JSON.stringify({ project: { id: "x", colour: "red" } }));
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toContain("colour");
    r = await post(JSON.stringify({ project: { id: 42, name: "x" } }));
    expect(r.status).toBe(400);
    r = await fetch(`${h.server.url}/api/v1/tasks/pgproj/development?limit=ten`);
    expect(r.status).toBe(400);
  });

  it("rejects an undecodable protobuf body over gRPC with INVALID_ARGUMENT and keeps serving", async () => {
    const raw = new grpc.Client(`127.0.0.1:${h.server.port}`, grpc.credentials.createInsecure());
    const err = await new Promise<grpc.ServiceError>((resolve) =>
      raw.makeUnaryRequest("/flyteidl.service.AdminService/GetTask", (x: Buffer) => x, (x: Buffer) => x, Buffer.from([0x0a, 0xff, 0xff, 0xff]), (e) => resolve(e!)),
    );
    raw.close();
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await client.getVersion({})).controlPlaneVersion).toBeDefined();
  });

  it("names missing fields and unknown ids", async () => {
    expect(await code(client.createTask({ id: e.ids.task }))).toEqual([Code.InvalidArgument, "missing spec"]);
    expect(await code(client.createTask({ id: { ...e.ids.task, version: "" }, spec: e.task.spec }))).toEqual([Code.InvalidArgument, "missing id.version"]);
    expect(await code(client.getTask({ id: { ...e.ids.task, version: "nope" } }))).toEqual([Code.NotFound, "task pgproj/development/echo.t/nope not found"]);
    expect(await code(client.getExecution({ id: { project: "pgproj", domain: "development", name: "ghost" } }))).toEqual([Code.NotFound, "execution pgproj/development/ghost not found"]);
    const [c, m] = await code(client.createTask({ id: { ...e.ids.task, project: "nowhere" }, spec: e.task.spec }));
    expect(c).toBe(Code.InvalidArgument);
    expect(m).toContain("project [nowhere]");
  });

  it("rejects a workflow that references an unregistered task, and one that does not compile, writing nothing", async () => {
    const [c1, m1] = await code(client.createWorkflow(e.workflow));
    expect(c1).toBe(Code.InvalidArgument);
    expect(m1).toContain("echo.t/v1, which is not registered");
    await client.createTask(e.task);
    const broken = clone(admin.WorkflowCreateRequestSchema, e.workflow);
    broken.spec!.template!.outputs[0]!.binding = create(core.BindingDataSchema, { value: { case: "promise", value: { nodeId: "n9", var: "x" } } });
    const [c2, m2] = await code(client.createWorkflow(broken));
    expect(c2).toBe(Code.InvalidArgument);
    expect(m2).toMatch(/failed to compile workflow echo.wf/);
    expect(await code(client.getWorkflow({ id: e.ids.workflow }))).toEqual([Code.NotFound, "workflow pgproj/development/echo.wf/v1 not found"]);
    await client.createWorkflow(e.workflow);
    await client.createWorkflow(e.workflow); // identical again: accepted
  });

  it("pages with tokens and sorts by whitelisted keys on PostgreSQL", async () => {
    for (let i = 0; i < 5; i++) await client.createTask({ ...e.task, id: { ...e.ids.task, version: `p${i}` }, spec: e.task.spec });
    const seen: string[] = [];
    let token = "";
    do {
      const page = await client.listTasks({ id: { project: "pgproj", domain: "development", name: "echo.t" }, limit: 2, token, sortBy: { key: "version", direction: admin.Sort_Direction.ASCENDING } });
      seen.push(...page.tasks.map((t) => t.id!.version));
      token = page.token;
    } while (token);
    expect(seen).toEqual(["p0", "p1", "p2", "p3", "p4", "v1"]);
    expect((await code(client.listTasks({ id: { project: "pgproj", domain: "development" }, limit: 2, sortBy: { key: "closure" } })))[0]).toBe(Code.InvalidArgument);
  });

  it("refuses an oversized request with RESOURCE_EXHAUSTED", async () => {
    const big = create(admin.ProjectRegisterRequestSchema, { project: { id: "big", name: "x", description: "d".repeat(9 * 1024 * 1024) } });
    expect(toBinary(admin.ProjectRegisterRequestSchema, big).length).toBeGreaterThan(8 * 1024 * 1024);
    expect((await code(client.registerProject(big)))[0]).toBe(Code.ResourceExhausted);
  });

  it("keeps the long description sent with a task and serves it as a description entity", async () => {
    const spec = clone(admin.TaskSpecSchema, e.task.spec!);
    spec.description = create(admin.DescriptionEntitySchema, { shortDescription: "echoes", longDescription: { content: { case: "value", value: "# Echo\nReturns its input." }, format: admin.DescriptionFormat.MARKDOWN } });
    const id = { ...e.ids.task, version: "described" };
    await client.createTask({ id, spec });
    const d = await client.getDescriptionEntity({ id });
    expect([d.shortDescription, d.longDescription?.content.value, d.id?.version]).toEqual(["echoes", "# Echo\nReturns its input.", "described"]);
    const list = await client.listDescriptionEntities({ resourceType: core.ResourceType.TASK, id: { project: "pgproj", domain: "development", name: "echo.t" }, limit: 10 });
    expect(list.descriptionEntities.map((x) => x.id?.version)).toEqual(["described"]);
    expect((await code(client.getDescriptionEntity({ id: { ...id, version: "v1" } })))[0]).toBe(Code.NotFound);
  });
  it("reports NUL bytes, out-of-range numbers and too many filter values as INVALID_ARGUMENT naming the field", async () => {
    const lp = { id: { project: "pgproj", domain: "development" }, limit: 10 };
    expect(await code(client.registerProject({ project: { id: "nul\0proj", name: "x" } }))).toEqual([Code.InvalidArgument, "project.id must not contain NUL characters"]);
    expect(await code(client.createTask({ ...e.task, id: { ...e.ids.task, name: "a\0b" } }))).toEqual([Code.InvalidArgument, "id.name must not contain NUL characters"]);
    expect(await code(client.listTasks({ ...lp, filters: "eq(name,a\0b)" }))).toEqual([Code.InvalidArgument, "filters must not contain NUL characters"]);
    expect(await code(client.listLaunchPlans({ ...lp, filters: "eq(state,3000000000)" }))).toEqual([Code.InvalidArgument, "invalid filters: state value 3000000000 is out of range"]);
    const [c1, m1] = await code(client.listTasks({ ...lp, token: "99999999999999999999" }));
    expect([c1, m1]).toEqual([Code.InvalidArgument, 'invalid token "99999999999999999999": out of range']);
    const many = Array.from({ length: 70_000 }, (_, i) => `v${i}`).join(";");
    const [c2, m2] = await code(client.listTasks({ ...lp, filters: `value_in(version,${many})` }));
    expect(c2).toBe(Code.InvalidArgument);
    expect(m2).toBe("invalid filters: 70000 values, more than the limit of 10000");
    // Just under the limit is a valid (if long) query.
    expect((await client.listTasks({ ...lp, filters: `value_in(version,${many.split(";").slice(0, 10_000).join(";")})` })).tasks).toBeDefined();
    // The same over REST: a NUL in a JSON body.
    const r = await fetch(`${h.server.url}/api/v1/projects`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ project: { id: "n\u0000", name: "x" } }) });
    expect([r.status, ((await r.json()) as { message: string }).message]).toEqual([400, "project.id must not contain NUL characters"]);
  });

  it("answers an undecodable Connect binary body with invalid_argument, not internal", async () => {
    const r = await fetch(`${h.server.url}/flyteidl.service.AdminService/GetTask`, { method: "POST", headers: { "content-type": "application/proto" }, body: Buffer.from([0x0a, 0xff, 0xff, 0xff]) });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { code: string }).code).toBe("invalid_argument");
  });
});
