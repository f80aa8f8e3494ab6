// Raw-container tasks (containerTask, shellTask) as local processes, with Flyte's copilot file protocol: every
// input is written as a file in the input directory (primitives as text, files downloaded, plus inputs.pb and
// inputs.json), `{{.inputs.name}}` in the command is replaced by the input's text (or local path), the program
// writes one file per output in the output directory, and those are read back by their declared types. The
// engine's local-process plugin leaves data_config tasks to this one.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import type { TaskExecutionContext, TaskPlugin, TaskResult } from "@aloft/engine";
import { FlyteDirectory } from "../types/directory.ts";
import { FlyteFile } from "../types/file.ts";
import { schemaFor } from "../types/registry.ts";
import type { TransformContext } from "../types/schema.ts";
import { blobIO } from "../runtime/blob-io.ts";
import { TypeMismatchError } from "../errors.ts";

export interface RawContainerPluginOptions {
  /** Environment added over this process's own. */
  env?: Readonly<Record<string, string>>;
  /** Keep each attempt's directory (inputs, outputs) for debugging. */
  keepDirs?: boolean;
}

function failure(kind: "USER" | "SYSTEM", code: string, message: string): TaskResult {
  return { kind: "failure", error: { kind, code, message, recoverable: kind === "SYSTEM" } };
}

/** Writes one input as the file (or directory) a container would find in its input directory. */
async function writeInput(path: string, value: unknown, schemaJson: (v: unknown) => unknown): Promise<string> {
  if (value instanceof FlyteFile) {
    await writeFile(path, await value.bytes());
    return path;
  }
  if (value instanceof FlyteDirectory) {
    for (const name of await value.list()) {
      await mkdir(join(path, name, ".."), { recursive: true });
      await writeFile(join(path, name), await value.file(name).bytes());
    }
    return path;
  }
  const json = schemaJson(value);
  const text = typeof json === "string" ? json : JSON.stringify(json);
  await writeFile(path, text);
  return text;
}

function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv, ctx: TaskExecutionContext): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => ctx.log.write("stdout", b.toString()));
    child.stderr.on("data", (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-4000);
      ctx.log.write("stderr", b.toString());
    });
    const abort = () => child.kill("SIGTERM");
    ctx.signal.addEventListener("abort", abort, { once: true });
    child.on("error", reject);
    child.on("close", (code) => {
      ctx.signal.removeEventListener("abort", abort);
      resolve({ code, stderr });
    });
  });
}

export function rawContainerPlugin(options: RawContainerPluginOptions = {}): TaskPlugin {
  return {
    name: "raw-container",
    canHandle: (task) => task.target.case === "container" && task.target.value.dataConfig?.enabled === true,
    async execute(ctx) {
      const c = ctx.task.target.value as core.Container;
      const dc = c.dataConfig!;
      const dir = await mkdtemp(join(tmpdir(), "aloft-raw-"));
      const inDir = join(dir, "inputs");
      const outDir = join(dir, "outputs");
      await mkdir(inDir);
      await mkdir(outDir);
      const tctx: TransformContext = { blobs: blobIO(ctx.blobStore), rawOutputPrefix: ctx.rawOutputPrefix, scratchDir: join(dir, "scratch") };
      try {
        const iface = ctx.task.interface;
        const texts = new Map<string, string>();
        for (const [name, v] of Object.entries(iface?.inputs?.variables ?? {})) {
          const literal = ctx.inputs.literals[name];
          if (!literal) return failure("SYSTEM", "MissingInput", `input ${name} was not provided`);
          const schema = schemaFor(v.type!);
          const value = await schema.fromLiteral(literal, tctx, `input ${name}`);
          texts.set(name, await writeInput(join(inDir, name), value, (x) => schema.toJson(x)));
        }
        await writeFile(join(inDir, "inputs.pb"), toBinary(core.LiteralMapSchema, ctx.inputs));
        await writeFile(join(inDir, "inputs.json"), toJsonString(core.LiteralMapSchema, ctx.inputs));
        // Paths the program was told about (Flyte's /var/inputs and /var/outputs) become this attempt's directories.
        const place = (arg: string) =>
          arg
            .replace(/\{\{\s*\.inputs\.([A-Za-z0-9_]+)\s*\}\}/g, (m, n: string) => texts.get(n) ?? m)
            .replace(new RegExp(`^${escape(dc.inputPath)}(?=/|$)`), inDir)
            .replace(new RegExp(`^${escape(dc.outputPath)}(?=/|$)`), outDir);
        const argv = [...c.command, ...c.args].map(place);
        if (argv.length === 0) return failure("SYSTEM", "NoCommand", "the container has neither command nor args");
        const env = { ...process.env, ...options.env, ...Object.fromEntries(c.env.map((kv) => [kv.key, kv.value])), ...ctx.environment };
        let r: { code: number | null; stderr: string };
        try {
          r = await run(argv, dir, env, ctx);
        } catch (e) {
          return failure("USER", "CommandNotFound", `cannot start ${argv[0]}: ${(e as Error).message}`);
        }
        if (ctx.signal.aborted) return failure("SYSTEM", "Aborted", "aborted");
        if (r.code !== 0) {
          const tail = r.stderr.trim().split("\n").slice(-5).join("\n");
          return { kind: "failure", error: { kind: "USER", code: `ExitCode${r.code}`, message: `${argv[0]} exited with code ${r.code}${tail ? `: ${tail}` : ""}`, recoverable: false } };
        }
        const literals: Record<string, core.Literal> = {};
        for (const [name, v] of Object.entries(iface?.outputs?.variables ?? {})) {
          const path = join(outDir, name);
          const info = await stat(path).catch(() => undefined);
          if (!info) {
            const present = (await readdir(outDir)).join(", ") || "nothing";
            return failure("USER", "MissingOutput", `output ${name} was not written to the output directory (found: ${present})`);
          }
          const schema = schemaFor(v.type!);
          let value: unknown;
          if (v.type!.type.case === "blob") value = info.isDirectory() ? FlyteDirectory.fromPath(path) : FlyteFile.fromPath(path);
          else {
            const text = await readFile(path, "utf8");
            // Programs end text with a newline; it is not part of the value.
            value = schema.parse(text.replace(/\r?\n$/, ""), `output ${name}`);
          }
          literals[name] = await schema.toLiteral(value, tctx, `output ${name}`);
        }
        return { kind: "success", outputs: create(core.LiteralMapSchema, { literals }) };
      } catch (e) {
        if (e instanceof TypeMismatchError) return failure("USER", e.code, e.message);
        throw e;
      } finally {
        if (!options.keepDirs) await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
