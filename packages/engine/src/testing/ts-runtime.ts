// A small TypeScript task runtime for worker-pool tests: `--task <name>` picks the behaviour.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { core, lit } from "@aloft/idl";

function intIn(m: core.LiteralMap, name: string): bigint {
  const l = m.literals[name];
  if (l?.value.case === "scalar" && l.value.value.value.case === "primitive" && l.value.value.value.value.value.case === "integer") {
    return l.value.value.value.value.value.value;
  }
  return 0n;
}

export async function executeTask(req: { args: string[]; inputs: Uint8Array; outputPrefix: string; rawOutputPrefix: string }) {
  const task = req.args[req.args.indexOf("--task") + 1];
  const inputs = fromBinary(core.LiteralMapSchema, req.inputs);
  switch (task) {
    case "add":
      return { outputs: toBinary(core.LiteralMapSchema, create(core.LiteralMapSchema, { literals: { o: lit.integer(intIn(inputs, "x") + intIn(inputs, "y")) } })) };
    case "echo-args":
      return { outputs: toBinary(core.LiteralMapSchema, create(core.LiteralMapSchema, { literals: { o: lit.string(req.args.join(" ")) } })) };
    case "user-fail-final":
      return { error: { kind: "USER" as const, code: "ValueError", message: "bad value", recoverable: false } };
    case "dynamic":
      return { futures: toBinary(core.DynamicJobSpecSchema, create(core.DynamicJobSpecSchema, { minSuccesses: 1n })) };
    case "user-fail":
      return { error: { kind: "USER" as const, code: "ValueError", message: "bad value" } };
    case "throw":
      throw new Error("runtime blew up");
    case "hang":
      return new Promise<never>(() => {});
    default:
      return { error: { kind: "SYSTEM" as const, code: "UnknownTask", message: `no task ${task}` } };
  }
}
