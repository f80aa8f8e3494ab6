// A node's outputs as downstream nodes see them: its interface outputs with output aliases applied.
import { clone, create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { type NodeBuilder, setEntry } from "./builder.ts";
import { ErrorCodes as C, type ErrorScope } from "./errors.ts";

export function validateEffectiveOutputs(
  n: NodeBuilder,
  errs: ErrorScope,
): { params?: core.VariableMap | undefined; ok: boolean } {
  const nodeId = n.node.id;
  const outputs = n.iface?.outputs;
  if (n.node.outputAliases.length === 0) return { params: n.iface ? outputs ?? create(core.VariableMapSchema) : undefined, ok: !errs.hasErrors() };

  const aliases = new Map<string, string>();
  for (const a of n.node.outputAliases) {
    if (aliases.has(a.var)) {
      errs.collect(C.DuplicateAlias, nodeId, `Duplicate alias [${a.alias}] found. An output alias can only be used once in the Workflow.`);
    } else aliases.set(a.var, a.alias);
  }
  let params: core.VariableMap | undefined;
  if (n.iface) {
    params = create(core.VariableMapSchema);
    for (const [name, v] of Object.entries(outputs?.variables ?? {})) {
      const alias = aliases.get(name);
      if (alias !== undefined) {
        setEntry(params.variables, alias, clone(core.VariableSchema, v));
        aliases.delete(name);
      } else setEntry(params.variables, name, v);
    }
    // Aliases left over name outputs the node does not have.
    for (const alias of aliases.values()) errs.collect(C.ParameterNotBound, nodeId, `Parameter not bound [${alias}].`);
  }
  return { params, ok: !errs.hasErrors() };
}
