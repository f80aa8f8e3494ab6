// A Flyte 2 task on `aloft start`: `aloft run --remote` registers the example (the task's generated workflow and
// launch plan, and the tasks it calls), and the server runs it in its warm worker pool, each call a child action.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/commands/run.ts";
import { captureIO, startTestServer, type TestServer } from "../server.ts";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
let server: TestServer;
const cwd = process.cwd();
beforeAll(async () => {
  process.chdir(root);
  server = await startTestServer();
}, 60_000);
afterAll(async () => {
  process.chdir(cwd);
  await server?.close();
});

describe("a Flyte 2 task on aloft start", () => {
  it("runs the search remotely: children, the caught out-of-memory failures and the trace are actions of its node", async () => {
    const io = captureIO();
    const argv = ["--remote", "--nodes", "--json", "examples/flyte2/hpo.ts", "search", "--rates", "[0.5,1]", "--batch", "256", "--epochs", "30", "--samples", "60"];
    const code = await run.run([...argv, "--endpoint", server.endpoint], io);
    expect(code, io.stderr.join("\n")).toBe(0);
    const out = JSON.parse(io.stdout.join("\n")) as { outputs: Record<string, number>; nodes: Array<{ id: string; name: string; phase: string }> };
    expect(out.outputs).toMatchObject({ batch: 128, trials: 2 });
    const children = out.nodes.filter((n) => /^n0-0-[0-9a-z]{25}$/.test(n.id));
    expect(children.filter((n) => n.name === "train" && n.phase === "FAILED")).toHaveLength(2);
    expect(children.filter((n) => n.name === "train" && n.phase === "SUCCEEDED")).toHaveLength(2);
    expect(children).toHaveLength(5);
  }, 120_000);
});
