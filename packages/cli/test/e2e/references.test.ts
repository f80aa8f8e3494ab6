// Cross-language references through aloft start: flytekit's `pyflyte package` output of examples/references/py/
// billing.py (committed as a fixture by its package.sh) is registered with `aloft register`, `aloft codegen`
// writes the same declarations as the committed examples/references/refs/, and the TypeScript workflows calling the
// Python tasks, workflow and launch plan run with `aloft run --remote`. The Python tasks run through
// `pyflyte-execute`: flytekit's own when /tmp/flytekit-env (shared/tools/flytekit-env.sh) is installed, else a
// stand-in speaking the same contract (testdata/pyflyte-execute-standin.ts).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codegen } from "../../src/commands/codegen.ts";
import { register } from "../../src/commands/register.ts";
import { run } from "../../src/commands/run.ts";
import { captureIO, startTestServer, type TestServer } from "../server.ts";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const example = join(repo, "examples/references");
const site = process.env.FLYTEKIT_SITE ?? "/tmp/flytekit-env/site";
const flytekit = spawnSync("/usr/bin/python3", ["-c", "import flytekit"], { env: { PYTHONPATH: site }, stdio: "ignore" }).status === 0;

let server: TestServer;
let bin: string;
const saved = { PATH: process.env.PATH, PYTHONPATH: process.env.PYTHONPATH };

function pyflyteExecute(): string {
  if (flytekit) {
    return `#!/bin/sh\nPYTHONPATH=${site}:$PYTHONPATH PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring exec /usr/bin/python3 -c "import sys; from flytekit.bin.entrypoint import execute_task_cmd; sys.argv[0]='pyflyte-execute'; sys.exit(execute_task_cmd())" "$@"\n`;
  }
  const tsx = pathToFileURL(join(repo, "node_modules/tsx/dist/esm/index.mjs")).href;
  const standin = fileURLToPath(new URL("./testdata/pyflyte-execute-standin.ts", import.meta.url));
  return `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --import ${tsx} ${JSON.stringify(standin)} "$@"\n`;
}

async function aloft(cmd: { run(argv: string[], io: ReturnType<typeof captureIO>): Promise<number> }, argv: string[]) {
  const io = captureIO();
  let code: number;
  try {
    code = await cmd.run([...argv, "--endpoint", server.endpoint], io);
  } catch (e) {
    // As main.ts reports a command's error.
    io.err((e as Error).message);
    code = 2;
  }
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

beforeAll(async () => {
  bin = mkdtempSync(join(tmpdir(), "aloft-refs-bin-"));
  writeFileSync(join(bin, "pyflyte-execute"), pyflyteExecute());
  chmodSync(join(bin, "pyflyte-execute"), 0o755);
  // Task processes inherit PATH and PYTHON* from the server (its task-env allow-list); billing.py is imported
  // from PYTHONPATH, as a non-fast `pyflyte package` expects the module in the image.
  process.env.PATH = `${bin}:${process.env.PATH}`;
  process.env.PYTHONPATH = join(example, "py");
  server = await startTestServer();
  console.log(`references e2e: pyflyte-execute is ${flytekit ? "flytekit's" : "the stand-in (flytekit not installed)"}`);
}, 60_000);
afterAll(async () => {
  await server?.close();
  process.env.PATH = saved.PATH;
  if (saved.PYTHONPATH === undefined) delete process.env.PYTHONPATH;
  else process.env.PYTHONPATH = saved.PYTHONPATH;
  rmSync(bin, { recursive: true, force: true });
});

describe("TypeScript workflows calling flytekit entities by reference", () => {
  it("registers the pyflyte package, and codegen writes the committed declarations", async () => {
    const reg = await aloft(register, [join(example, "py/flyte-package.tgz"), "--version", "py1"]);
    expect(reg, reg.err).toMatchObject({ code: 0 });
    expect(reg.out).toContain("registered 2 task(s), 1 workflow(s), 1 launch plan(s) as version py1");
    const gen: [string, string[]][] = [
      ["add.ts", ["billing.add"]],
      ["describe.ts", ["billing.describe"]],
      ["line-total.ts", ["--type", "workflow", "billing.line_total", "--export", "lineTotal"]],
      ["line-total-plan.ts", ["--type", "launchplan", "billing.line_total", "--export", "lineTotalPlan"]],
    ];
    for (const [file, args] of gen) {
      const rest = args.filter((a) => !a.startsWith("billing."));
      const name = args.find((a) => a.startsWith("billing."))!;
      const r = await aloft(codegen, [...rest, "flytesnacks", "development", name, "py1"]);
      expect(r.code, r.err).toBe(0);
      expect(`${r.out}\n`, file).toBe(readFileSync(join(example, "refs", file), "utf8"));
    }
    const missing = await aloft(codegen, ["flytesnacks", "development", "billing.nope", "py1"]);
    expect(missing.code).not.toBe(0);
  }, 60_000);

  it("runs Python tasks between TypeScript ones with aloft run --remote", async () => {
    const r = await aloft(run, ["--remote", "--json", join(example, "references.ts"), "invoice", "--item", "widget", "--qty", "3", "--extra", "2", "--unitPrice", "1.5"]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out.split("\n").at(-1)!)).toEqual({ o0: "5 X WIDGET AT 1.50 = 7.50!" });
  }, 120_000);

  it("runs a Python workflow as a sub-workflow and its launch plan as a child execution", async () => {
    const r = await aloft(run, ["--remote", "--json", join(example, "references.ts"), "invoiceTwice", "--qty", "3"]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out.split("\n").at(-1)!)).toEqual({ inline: "4 x widget at 2.50 = 10.00", child: "4 x widget at 1.00 = 4.00" });
  }, 120_000);

  it("refuses to register declarations that do not match, naming the entity and each field", async () => {
    const r = await aloft(register, [fileURLToPath(new URL("./testdata/bad-references.ts", import.meta.url))]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("reference task flytesnacks/development/billing.add/py1 does not match its registered interface");
    expect(r.err).toContain('input "a" is declared as float but registered as integer');
    expect(r.err).toContain('output "o0" is declared as string but registered as integer');
    expect(r.err).toContain("reference task flytesnacks/development/billing.subtract/py1 is not registered");
  }, 60_000);
});
