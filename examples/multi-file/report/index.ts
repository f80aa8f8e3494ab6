// A workspace package of tasks: the multi-file example imports it by package name (`@aloft-examples/report`), as
// a project imports tasks shared between its workflows. Packages are not in the code bundle; the environment that
// runs the task provides them (on `aloft start`, the server's node_modules), as an image does in Flyte.
import { t, task } from "@aloft/sdk";

/** One line summarising an order's value. */
export const formatReport = task({ inputs: { total: t.float(), batches: t.int(), items: t.int() }, outputs: t.string() }, ({ total, batches, items }) =>
  `${items} items in ${batches} batch${batches === 1 ? "" : "es"}: ${total.toFixed(2)}`,
);
