// Recover (flyteadmin's RecoverExecution): a new execution that reuses the outputs of the nodes that succeeded
// in an earlier one and runs only the rest. Each top-level task node that succeeded is pointed at a generated
// task of type `aloft-recovered` whose config names the earlier outputs; the recovered-outputs plugin answers
// it by reading them, so the node completes without running its task again.
import { clone, create, fromBinary } from "@bufbuild/protobuf";
import { admin, core } from "@aloft/idl";
import { writeProto } from "@aloft/storage";
import type { TaskPlugin } from "@aloft/engine";
import type { AdminContext } from "../context.ts";
import type { ExecKey } from "../admin/executions/rows.ts";

export const RECOVERED_TASK_TYPE = "aloft-recovered";

/** Returns a copy of `closure` in which every top-level task node that succeeded in `source` reuses its outputs. */
export async function recoveredClosure(ctx: AdminContext, closure: core.CompiledWorkflowClosure, source: ExecKey, target: ExecKey): Promise<core.CompiledWorkflowClosure> {
  const out = clone(core.CompiledWorkflowClosureSchema, closure);
  const rows = await ctx.db.selectFrom("admin_node_executions").select(["node_id", "closure"]).where("project", "=", source.project).where("domain", "=", source.domain).where("name", "=", source.name).where("phase", "=", "SUCCEEDED").where("parent_node_id", "is", null).execute();
  const done = new Map(rows.map((r) => [r.node_id, fromBinary(admin.NodeExecutionClosureSchema, r.closure)]));
  const tasks = new Map(out.tasks.map((t) => [`${t.template?.id?.project}/${t.template?.id?.domain}/${t.template?.id?.name}/${t.template?.id?.version}`, t.template]));
  for (const node of out.primary?.template?.nodes ?? []) {
    const prior = done.get(node.id);
    if (!prior || node.target.case !== "taskNode" || node.target.value.reference.case !== "referenceId") continue;
    const ref = node.target.value.reference.value;
    const original = tasks.get(`${ref.project}/${ref.domain}/${ref.name}/${ref.version}`);
    let uri: string;
    if (prior.outputResult.case === "outputUri") uri = prior.outputResult.value;
    else if (prior.outputResult.case === "outputData") {
      uri = `${ctx.layout.executionPrefix(target)}/recovered/${node.id}/outputs.pb`;
      await writeProto(ctx.blobs, uri, core.LiteralMapSchema, prior.outputResult.value);
    } else continue;
    const id = create(core.IdentifierSchema, { resourceType: core.ResourceType.TASK, project: target.project, domain: target.domain, name: `.recovered.${node.id}`, version: target.name });
    out.tasks.push(create(core.CompiledTaskSchema, { template: { id, type: RECOVERED_TASK_TYPE, interface: original?.interface, metadata: {}, config: { outputs: uri } } }));
    node.target.value.reference.value = id;
  }
  return out;
}

export const recoveredOutputsPlugin: TaskPlugin = {
  name: "recovered-outputs",
  canHandle: (task) => task.type === RECOVERED_TASK_TYPE,
  async execute(ctx) {
    const uri = ctx.task.config.outputs;
    const bytes = uri ? await ctx.blobStore.get(uri) : undefined;
    if (!uri || !bytes) return { kind: "failure", error: { kind: "SYSTEM", code: "RecoveryFailed", message: `outputs to recover are missing (${uri ?? "no uri"})`, recoverable: false } };
    return { kind: "success", outputs: fromBinary(core.LiteralMapSchema, bytes) };
  },
};

