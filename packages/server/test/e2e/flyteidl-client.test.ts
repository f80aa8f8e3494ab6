// Flyte's own generated client (protobufjs, from the @flyteorg/flyteidl package) over @grpc/grpc-js registers the
// flytekit-serialized snacks-core corpus and lists it back.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { startHarness, type Harness } from "../harness.ts";

const require = createRequire(import.meta.url);
const FIXTURES = "/work/shared/flyte-fixtures/compiler/snacks-core";
const present = existsSync(FIXTURES);
if (!present) console.warn(`skipping: Flyte fixtures not found at ${FIXTURES}`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const flyteidl: Any = require("@flyteorg/flyteidl/gen/pb-js/flyteidl.js").flyteidl;

/**
 * What `flytectl register files` does to a flytekit package before registering it: every identifier in it gets
 * the target project, domain and version (flytekit leaves them empty when serializing).
 */
function hydrate(value: Any, project: string, domain: string, version: string): Any {
  if (Array.isArray(value)) value.forEach((v) => hydrate(v, project, domain, version));
  else if (value && typeof value === "object" && !(value instanceof Uint8Array)) {
    if ("resourceType" in value && "name" in value && typeof value.name === "string") {
      if (!value.project) value.project = project;
      if (!value.domain) value.domain = domain;
      if (!value.version) value.version = version;
    }
    for (const k of Object.keys(value)) hydrate(value[k], project, domain, version);
  }
  return value;
}

/** Decodes each fixture with Flyte's own decoder; a file it cannot read is reported and left out. */
function decodeAll(files: string[], type: Any, skipped: string[]): Any[] {
  return files.flatMap((f) => {
    try {
      return [hydrate(type.decode(readFileSync(join(FIXTURES, f))), "flytesnacks", "development", "v1")];
    } catch (e) {
      skipped.push(`${f}: ${(e as Error).message}`);
      return [];
    }
  });
}

function adminClient(address: string): { client: grpc.Client; admin: Any } {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const rpcImpl = (method: { name: string }, data: Uint8Array, cb: (e: Error | null, r?: Uint8Array) => void) =>
    client.makeUnaryRequest(`/flyteidl.service.AdminService/${method.name}`, (x: Uint8Array) => Buffer.from(x), (x: Buffer) => x, data, cb);
  return { client, admin: flyteidl.service.AdminService.create(rpcImpl, false, false) };
}

describe.skipIf(!present)("official flyteidl client against Aloft", () => {
  let h: Harness;
  let admin: Any;
  let client: grpc.Client;
  beforeAll(async () => {
    h = await startHarness();
    ({ admin, client } = adminClient(`127.0.0.1:${h.server.port}`));
  });
  afterAll(async () => {
    client?.close();
    await h?.close();
  });

  it("registers every task, workflow and launch plan of snacks-core and lists them back", async () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".pb")).sort();
    const skipped: string[] = [];
    const tasks = decodeAll(files.filter((f) => f.endsWith("_1.pb")), flyteidl.admin.TaskSpec, skipped);
    const workflows = decodeAll(files.filter((f) => f.endsWith("_2.pb")), flyteidl.core.WorkflowClosure, skipped);
    const lps = decodeAll(files.filter((f) => f.endsWith("_3.pb")), flyteidl.admin.LaunchPlan, skipped);
    if (skipped.length > 0) console.warn(`fixtures Flyte's own decoder cannot read:\n${skipped.join("\n")}`);
    expect(tasks.length + workflows.length + lps.length).toBeGreaterThan(150);
    const projects = new Set<string>([...tasks.map((t: Any) => t.template.id.project), ...lps.map((l: Any) => l.id.project)]);
    for (const p of projects) await admin.registerProject({ project: { id: p, name: p } });

    const taskFailures: string[] = [];
    for (const spec of tasks) {
      await admin.createTask({ id: spec.template.id, spec }).catch((e: Error) => taskFailures.push(`${spec.template.id.name}: ${e.message}`));
    }
    expect(taskFailures).toEqual([]);
    // The workflow closures carry their own tasks too; registering them again must be accepted as identical.
    const wfFailures: string[] = [];
    for (const closure of workflows) {
      const template = closure.workflow;
      await admin.createWorkflow({ id: template.id, spec: { template } }).catch((e: Error) => wfFailures.push(`${template.id.name}: ${e.message}`));
    }
    expect(wfFailures).toEqual([]);
    // A launch plan whose workflow could not be decoded (so is not registered) is rejected, as Flyte would.
    const registeredWorkflows = new Set(workflows.map((w: Any) => w.workflow.id.name));
    const lpFailures: string[] = [];
    const lpRejected: string[] = [];
    for (const lp of lps) {
      const orphan = !registeredWorkflows.has(lp.spec.workflowId.name);
      await admin.createLaunchPlan({ id: lp.id, spec: lp.spec }).then(
        () => orphan && lpFailures.push(`${lp.id.name}: accepted without its workflow`),
        (e: Any) => (orphan && e.code === grpc.status.INVALID_ARGUMENT ? lpRejected : lpFailures).push(`${lp.id.name}: ${e.message}`),
      );
    }
    expect(lpFailures).toEqual([]);
    const registeredLps = lps.length - lpRejected.length;

    const { project, domain } = tasks[0].template.id;
    const listed: Any[] = [];
    let token = "";
    do {
      const page = await admin.listTasks({ id: { project, domain }, limit: 20, token });
      listed.push(...page.tasks);
      token = page.token;
    } while (token);
    const expectedTasks = new Set(tasks.filter((t: Any) => t.template.id.project === project && t.template.id.domain === domain).map((t: Any) => `${t.template.id.name}@${t.template.id.version}`));
    expect(new Set(listed.map((t: Any) => `${t.id.name}@${t.id.version}`))).toEqual(expectedTasks);
    expect(listed.every((t: Any) => t.closure.compiledTask.template.id.name === t.id.name)).toBe(true);

    const wfList = await admin.listWorkflows({ id: { project, domain }, limit: 1000 });
    expect(wfList.workflows.length).toBe(new Set(workflows.map((w: Any) => `${w.workflow.id.name}@${w.workflow.id.version}`)).size);
    expect(wfList.workflows.every((w: Any) => w.closure.compiledWorkflow.primary.connections)).toBe(true);
    const lpList = await admin.listLaunchPlans({ id: { project, domain }, limit: 1000 });
    expect(lpList.launchPlans.length).toBe(registeredLps);
    const ids = await admin.listWorkflowIds({ project, domain, limit: 1000 });
    expect(ids.entities.length).toBe(new Set(workflows.map((w: Any) => w.workflow.id.name)).size);
  });

  it("re-registering an identical task succeeds; a different spec under the same id is ALREADY_EXISTS", async () => {
    const file = readdirSync(FIXTURES).find((f) => f.endsWith("_1.pb"))!;
    const spec = hydrate(flyteidl.admin.TaskSpec.decode(readFileSync(join(FIXTURES, file))), "flytesnacks", "development", "v1");
    await admin.createTask({ id: spec.template.id, spec });
    spec.template.metadata.retries = { retries: 7 };
    const err = await admin.createTask({ id: spec.template.id, spec }).catch((e: Any) => e);
    expect(err.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(err.details).toContain("different structure");
  });
});
