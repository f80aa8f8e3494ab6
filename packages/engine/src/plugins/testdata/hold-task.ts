// Starts one task process the way the process-based plugins do, then waits: process.test.ts kills this process
// with SIGKILL and checks the task did not outlive it. argv: <pidfile>
import { runProcess } from "../process.ts";

const pidFile = process.argv[2]!;
const ctx = { signal: new AbortController().signal, log: { write() {} } } as unknown as Parameters<typeof runProcess>[3];
void runProcess(["/bin/sh", "-c", `echo $$ > ${pidFile}; sleep 600 & echo $! >> ${pidFile}; wait`], process.cwd(), { PATH: process.env.PATH ?? "" }, ctx, { killGraceMs: 0, stderrTailChars: 100 });
setInterval(() => {}, 1000);
