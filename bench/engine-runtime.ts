// No-op TypeScript task runtime for the engine benchmarks: returns {o: x + 1} for any task.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { core, lit } from "@aloft/idl";

export async function executeTask(req: { args: string[]; inputs: Uint8Array }) {
  const inputs = fromBinary(core.LiteralMapSchema, req.inputs);
  const x = inputs.literals.x;
  const v = x?.value.case === "scalar" && x.value.value.value.case === "primitive" && x.value.value.value.value.value.case === "integer" ? x.value.value.value.value.value.value : 0n;
  return { outputs: toBinary(core.LiteralMapSchema, create(core.LiteralMapSchema, { literals: { o: lit.integer(v + 1n) } })) };
}
