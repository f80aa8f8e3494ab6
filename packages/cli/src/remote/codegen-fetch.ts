// Reads a registered entity's interface for `aloft codegen`.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { core } from "@aloft/idl";
import { UsageError } from "../command.ts";
import type { Declared, ReferenceKind } from "./codegen.ts";
import type { Remote } from "./connection.ts";

const resourceTypes = { task: core.ResourceType.TASK, workflow: core.ResourceType.WORKFLOW, launchplan: core.ResourceType.LAUNCH_PLAN };

const typesOf = (m: { [k: string]: { type?: core.LiteralType; var?: core.Variable } } | undefined) =>
  Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, v.type ?? v.var?.type]));

export async function fetchDeclared(remote: Remote, kind: ReferenceKind, key: { project: string; domain: string; name: string; version: string }): Promise<Declared> {
  const id = create(core.IdentifierSchema, { resourceType: resourceTypes[kind], ...key });
  try {
    if (kind === "task") {
      const i = (await remote.admin.getTask({ id })).closure?.compiledTask?.template?.interface;
      return { kind, id, inputs: typesOf(i?.inputs?.variables), outputs: typesOf(i?.outputs?.variables) };
    }
    if (kind === "workflow") {
      const i = (await remote.admin.getWorkflow({ id })).closure?.compiledWorkflow?.primary?.template?.interface;
      return { kind, id, inputs: typesOf(i?.inputs?.variables), outputs: typesOf(i?.outputs?.variables) };
    }
    const c = (await remote.admin.getLaunchPlan({ id })).closure;
    return { kind, id, inputs: typesOf(c?.expectedInputs?.parameters), outputs: typesOf(c?.expectedOutputs?.variables) };
  } catch (e) {
    if (e instanceof ConnectError && e.code === Code.NotFound) {
      throw new UsageError(`${kind} ${key.project}/${key.domain}/${key.name}/${key.version} is not registered on ${remote.endpoint}`);
    }
    throw e;
  }
}
