// Entry of each TypeScript worker thread. Plain JavaScript because Node cannot load a .ts worker
// entry by itself (workers do not inherit the parent's --import hooks): register tsx, then load the
// real worker module named in workerData.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
