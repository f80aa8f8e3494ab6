// `group(name, fn)`: the calls `fn` makes are grouped under `name` (Flyte 2's flyte.group): shown together in the
// action tree, and numbered within the group, so adding calls in one group does not rename another's children.
import { DefinitionError } from "../errors.ts";
import { currentRun, runContext } from "./context.ts";

export function group<R>(name: string, fn: () => Promise<R> | R): Promise<R> {
  if (typeof name !== "string" || !name || name.includes("/")) throw new DefinitionError(`group: name must be a non-empty string without "/" (got ${JSON.stringify(name)})`);
  const rc = currentRun(`group "${name}"`);
  return Promise.resolve(runContext.run({ ...rc, group: rc.group ? `${rc.group}/${name}` : name }, fn));
}
