// Flyte 2's authoring vocabulary: task environments, tasks that call tasks, trace, group and map.
import { group } from "./group.ts";
import { mapCalls } from "./map.ts";
import { trace } from "./trace.ts";
import { TaskEnvironment } from "./environment.ts";

export { TaskEnvironment, environmentOf, type TaskEnvironmentOptions, type EnvironmentTaskOptions } from "./environment.ts";
export { isFlyte2Task, type Flyte2Task, type TaskInputs } from "./task.ts";
export type { TaskOverrides } from "./override.ts";
export { trace } from "./trace.ts";
export { group } from "./group.ts";
export { mapCalls, type MapCallOptions } from "./map.ts";
export { ActionFailedError } from "./errors.ts";
export { CallOutsideTaskError } from "./context.ts";
export { runTaskTree, taskWorkflow, reachableTasks } from "./run.ts";

/** The Flyte 2 names in one place, as Python's `flyte` module has them: flyte.map, flyte.trace, flyte.group. */
export const flyte = { TaskEnvironment, map: mapCalls, trace, group } as const;
