// A module of tasks the bundle-project's workflow file imports.
import { t, task } from "@aloft/sdk";

export const inc = task({ inputs: { x: t.int() }, outputs: t.int() }, ({ x }) => x + 1);
