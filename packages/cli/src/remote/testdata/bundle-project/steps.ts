// A module of tasks the bundle-project's workflow file imports.
import { t, task } from "@aloft/sdk";

/** The URL of the module the task runs from: the code bundle, on a server, not the sources beside it. */
export const whereAmI = task({ outputs: t.string() }, () => import.meta.url);

export const inc = task({ inputs: { x: t.int() }, outputs: t.int() }, ({ x }) => x + 1);
