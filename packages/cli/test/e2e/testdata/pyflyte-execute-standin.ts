// Stands in for flytekit's `pyflyte-execute` where flytekit is not installed (CI): it speaks the same contract with
// the server (the args of a TaskTemplate `pyflyte package` wrote, inputs.pb in, <output-prefix>/outputs.pb out) and
// computes what examples/references/py/billing.py's tasks compute. With flytekit installed, the test uses the real
// entry point instead, and docs/compatibility.md records that run.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { core, fromLiteral, toLiteral, types } from "@aloft/idl";

const args = process.argv.slice(2);
const flag = (name: string) => args[args.indexOf(name) + 1]!;
const tail = args.slice(args.indexOf("--") + 1);
const module = tail[tail.indexOf("task-module") + 1];
const name = tail[tail.indexOf("task-name") + 1];

const inputs = fromBinary(core.LiteralMapSchema, readFileSync(flag("--inputs")));
const num = (k: string, t = types.integer()) => Number(fromLiteral(inputs.literals[k]!, t));
const str = (k: string) => String(fromLiteral(inputs.literals[k]!, types.string()));

const tasks: Record<string, () => core.Literal> = {
  "billing.add": () => toLiteral(num("a") + num("b"), types.integer()),
  "billing.describe": () => {
    const qty = num("qty");
    const price = num("unit_price", types.float());
    return toLiteral(`${qty} x ${str("item")} at ${price.toFixed(2)} = ${(qty * price).toFixed(2)}`, types.string());
  },
};
const fn = tasks[`${module}.${name}`];
if (!fn) {
  console.error(`pyflyte-execute stand-in: no task ${module}.${name}`);
  process.exit(1);
}
const outputs = create(core.LiteralMapSchema, { literals: { o0: fn() } });
mkdirSync(flag("--output-prefix"), { recursive: true });
writeFileSync(join(flag("--output-prefix"), "outputs.pb"), toBinary(core.LiteralMapSchema, outputs));
