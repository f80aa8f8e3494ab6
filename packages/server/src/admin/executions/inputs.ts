// The inputs an execution runs with: user inputs checked against the launch plan's expected inputs (unknown
// names and wrong types rejected, required ones demanded, defaults filled in), then the fixed inputs added.
import { create } from "@bufbuild/protobuf";
import { core, formatLiteralType } from "@aloft/idl";
import { InvalidArgumentError } from "../../errors.ts";
import { areTypesCastable, literalTypeForLiteral } from "../compile.ts";

export function resolveExecutionInputs(user: core.LiteralMap | undefined, fixed: core.LiteralMap | undefined, expected: core.ParameterMap | undefined): core.LiteralMap {
  const out: Record<string, core.Literal> = {};
  const params = expected?.parameters ?? {};
  for (const [name, value] of Object.entries(user?.literals ?? {})) {
    if (!Object.hasOwn(params, name)) {
      const hint = fixed?.literals[name] ? " (it is a fixed input of the launch plan and cannot be overridden)" : "";
      throw new InvalidArgumentError(`inputs.${name}: invalid input, the launch plan has no such free input${hint}`);
    }
    out[name] = value;
  }
  for (const [name, param] of Object.entries(params)) {
    const given = out[name];
    if (given === undefined) {
      if (param.behavior.case === "required" && param.behavior.value) throw new InvalidArgumentError(`inputs.${name}: required input is missing`);
      if (param.behavior.case === "default") out[name] = param.behavior.value;
      continue;
    }
    const t = literalTypeForLiteral(given);
    if (!t) throw new InvalidArgumentError(`inputs.${name}: cannot determine the type of the given literal`);
    if (!areTypesCastable(t, param.var?.type)) {
      throw new InvalidArgumentError(`inputs.${name}: wrong type, expected ${param.var?.type ? formatLiteralType(param.var.type) : "nothing"} but got ${formatLiteralType(t)}`);
    }
  }
  for (const [name, value] of Object.entries(fixed?.literals ?? {})) out[name] = value;
  return create(core.LiteralMapSchema, { literals: out });
}
