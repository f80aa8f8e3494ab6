// No-op TypeScript task runtime for the engine benchmarks: returns {o: x + 1} for any task.
// Imports only the literal messages it reads and writes: `@aloft/idl` whole (every FlyteIDL package)
// cost each task worker ~10 MiB of heap for nothing this runtime uses.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { LiteralMapSchema } from "../packages/idl/gen/flyteidl/core/literals_pb.ts";

export async function executeTask(req: { args: string[]; inputs: Uint8Array }) {
  const inputs = fromBinary(LiteralMapSchema, req.inputs);
  const x = inputs.literals.x;
  const v = x?.value.case === "scalar" && x.value.value.value.case === "primitive" && x.value.value.value.value.value.case === "integer" ? x.value.value.value.value.value.value : 0n;
  const o = { value: { case: "scalar" as const, value: { value: { case: "primitive" as const, value: { value: { case: "integer" as const, value: v + 1n } } } } } };
  return { outputs: toBinary(LiteralMapSchema, create(LiteralMapSchema, { literals: { o } })) };
}
