// `trace(fn)`: checkpoints a plain async function inside a task (Flyte 2's flyte.trace). Its result is recorded
// as a child action of the task, under the function's name, its arguments and its call sequence; when the task
// runs again (a retry, a restart) the recorded result comes back instead of running the function again. Arguments
// and results must be JSON values. Outside a running task the function just runs.
import { create } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { DefinitionError } from "../errors.ts";
import { runContext } from "./context.ts";

function stringMap(values: Record<string, string>): core.LiteralMap {
  const map = create(core.LiteralMapSchema);
  for (const [k, v] of Object.entries(values)) {
    map.literals[k] = create(core.LiteralSchema, { value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "stringValue", value: v } } } } } });
  }
  return map;
}

function stringOf(m: core.LiteralMap, k: string): string {
  const l = m.literals[k];
  if (l?.value.case === "scalar" && l.value.value.value.case === "primitive" && l.value.value.value.value.value.case === "stringValue") {
    return l.value.value.value.value.value.value;
  }
  throw new DefinitionError(`trace: the recorded result has no ${k}`);
}

export function trace<A extends unknown[], R>(fn: (...args: A) => Promise<R> | R, name: string = fn.name): (...args: A) => Promise<R> {
  if (typeof fn !== "function") throw new DefinitionError("trace(...) takes a function");
  if (!name) throw new DefinitionError("trace(...): give the function a name (a named function, or trace(fn, name))");
  return async (...args: A): Promise<R> => {
    const rc = runContext.getStore();
    if (!rc) return fn(...args);
    const inputs = stringMap({ args: JSON.stringify(args) ?? "" });
    const out = await rc.env.actions().trace(
      name,
      inputs,
      async () => {
        const r = await fn(...args);
        return stringMap({ result: r === undefined ? "" : JSON.stringify(r) });
      },
      rc.group,
    );
    const s = stringOf(out, "result");
    return (s === "" ? undefined : JSON.parse(s)) as R;
  };
}
