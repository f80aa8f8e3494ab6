// `flyte.map(task, items, { concurrency })`: calls a task once per item (each item the call's inputs), at most
// `concurrency` at a time, and resolves to the outputs in the items' order. The first failure rejects, as
// Promise.all does; calls already started still finish (they are recorded children).
import type { OutputDecl, ReturnValues } from "../entity.ts";
import { DefinitionError } from "../errors.ts";
import { checkOptionKeys } from "../options.ts";
import type { SchemaMap } from "../types/schema.ts";
import type { Flyte2Task, TaskInputs } from "./task.ts";

export interface MapCallOptions {
  /** Most calls in flight at once (default: all). */
  concurrency?: number;
}

export async function mapCalls<I extends SchemaMap, O extends OutputDecl>(
  task: Flyte2Task<I, O>,
  items: Iterable<TaskInputs<I>>,
  options: MapCallOptions = {},
): Promise<ReturnValues<O>[]> {
  checkOptionKeys(options, ["concurrency"], "flyte.map");
  const list = [...items];
  const c = options.concurrency ?? list.length;
  if (!(Number.isInteger(c) && c >= 0)) throw new DefinitionError(`flyte.map: concurrency must be a positive integer, got ${options.concurrency}`);
  const results = new Array<ReturnValues<O>>(list.length);
  let next = 0;
  // Calls are made in item order (their sequence numbers, so their names, follow it); `c` workers take the next.
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      results[i] = await task(list[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(c, 1), list.length) }, worker));
  return results;
}
