// Flyte's raw container protocol (DataLoadingConfig, "copilot"), run as a local process: every
// input is written as a file named after the variable in the input directory (plus inputs.pb, and
// inputs.json when the format is JSON); the command runs; each output variable is read back from
// a file of that name in the output directory and converted by the interface's type (an `error`
// file there means a user error). Without a container the configured in-container paths
// (e.g. /var/inputs) are rewritten in the command to this attempt's local directories.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, existsSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { core, lit } from "@aloft/idl";
import type { TaskExecutionContext, TaskPlugin, TaskResult } from "./plugin.ts";

export interface RawContainerPluginOptions {
  /** Each attempt gets `<workDir>/<action>_a<attempt>/{inputs,outputs}`. */
  workDir: string;
  keepWorkDirs?: boolean;
}

class UnsupportedValue extends Error {}

export function rawContainerPlugin(options: RawContainerPluginOptions): TaskPlugin {
  return {
    name: "raw-container",
    canHandle: (task) => task.target.case === "container" && task.target.value.dataConfig?.enabled === true,
    async execute(ctx) {
      const dir = join(options.workDir, `${ctx.actionKey.replace(/[^A-Za-z0-9_.-]/g, "_")}_a${ctx.attempt}`);
      try {
        return await runRaw(ctx, dir);
      } catch (err) {
        const unsupported = err instanceof UnsupportedValue;
        return { kind: "failure", error: { kind: unsupported ? "USER" : "SYSTEM", code: unsupported ? "UnsupportedValue" : "RawContainerError", message: (err as Error).message, recoverable: !unsupported } };
      } finally {
        if (!options.keepWorkDirs) rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

async function runRaw(ctx: TaskExecutionContext, dir: string): Promise<TaskResult> {
  const container = ctx.task.target.case === "container" ? ctx.task.target.value : undefined;
  const cfg = container?.dataConfig;
  if (!container || !cfg) throw new Error("not a raw container task");
  if (cfg.format === core.DataLoadingConfig_LiteralMapFormat.YAML) throw new UnsupportedValue("dataConfig.format: YAML is not supported (use JSON or PROTO)");
  const inDir = join(dir, "inputs");
  const outDir = join(dir, "outputs");
  mkdirSync(inDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  const jsonInputs: Record<string, unknown> = {};
  for (const [name, l] of Object.entries(ctx.inputs.literals)) jsonInputs[name] = await writeInput(ctx, join(inDir, name), l, `inputs.${name}`);
  writeFileSync(join(inDir, "inputs.pb"), toBinary(core.LiteralMapSchema, ctx.inputs));
  if (cfg.format === core.DataLoadingConfig_LiteralMapFormat.JSON) writeFileSync(join(inDir, "inputs.json"), JSON.stringify(jsonInputs));

  const local = (s: string) => rewrite(rewrite(s, cfg.inputPath, inDir), cfg.outputPath, outDir);
  const argv = [...container.command, ...container.args].map(local);
  if (argv.length === 0) throw new UnsupportedValue("container has neither command nor args");
  const env = { ...(process.env as Record<string, string>), ...Object.fromEntries(container.env.map((e) => [e.key, e.value])), ...ctx.environment };
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d: Buffer) => ctx.log.write("stdout", d.toString()));
    child.stderr.on("data", (d: Buffer) => ctx.log.write("stderr", d.toString()));
    const onAbort = () => child.kill("SIGKILL");
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    child.on("error", reject);
    child.on("close", (c) => {
      ctx.signal.removeEventListener("abort", onAbort);
      resolve(c ?? 1);
    });
  });
  const errorFile = join(outDir, "error");
  if (existsSync(errorFile)) return { kind: "failure", error: { kind: "USER", code: "UserError", message: readFileSync(errorFile, "utf8"), recoverable: true } };
  if (code !== 0) return { kind: "failure", error: { kind: "USER", code: "NonZeroExit", message: `container command exited with code ${code}`, recoverable: true } };
  const literals: Record<string, core.Literal> = {};
  for (const [name, v] of Object.entries(ctx.task.interface?.outputs?.variables ?? {})) {
    literals[name] = await readOutput(ctx, join(outDir, name), v.type, name);
  }
  return { kind: "success", outputs: create(core.LiteralMapSchema, { literals }) };
}

function rewrite(s: string, from: string, to: string): string {
  return from ? s.split(from).join(to) : s;
}

async function writeInput(ctx: TaskExecutionContext, path: string, l: core.Literal, field: string): Promise<unknown> {
  if (l.value.case !== "scalar") throw new UnsupportedValue(`${field}: ${l.value.case ?? "empty"} inputs are not supported by the raw container protocol here`);
  const s = l.value.value.value;
  if (s.case === "blob") {
    const bytes = await ctx.blobStore.get(s.value.uri);
    if (!bytes) throw new Error(`${field}: blob ${s.value.uri} not found`);
    writeFileSync(path, bytes);
    return path;
  }
  if (s.case === "noneType") {
    writeFileSync(path, "null");
    return null;
  }
  if (s.case !== "primitive") throw new UnsupportedValue(`${field}: ${s.case ?? "empty"} scalars are not supported by the raw container protocol here`);
  const p = s.value.value;
  const text =
    p.case === "integer" ? p.value.toString()
    : p.case === "floatValue" ? String(p.value)
    : p.case === "boolean" ? String(p.value)
    : p.case === "stringValue" ? p.value
    : p.case === "datetime" ? new Date(Number(p.value.seconds) * 1000 + p.value.nanos / 1e6).toISOString()
    : p.case === "duration" ? `${Number(p.value.seconds) + p.value.nanos / 1e9}s`
    : "";
  writeFileSync(path, text);
  // inputs.json holds plain values, as copilot writes them.
  return p.case === "integer" ? Number(p.value) : p.case === "floatValue" || p.case === "boolean" || p.case === "stringValue" ? p.value : text;
}

async function readOutput(ctx: TaskExecutionContext, path: string, type: core.LiteralType | undefined, name: string): Promise<core.Literal> {
  if (!existsSync(path)) throw new UnsupportedValue(`output ${name}: the container wrote no file ${name} in its output directory`);
  const t = type?.type;
  if (t?.case === "blob") {
    const uri = `${ctx.rawOutputPrefix}/${name}`;
    await ctx.blobStore.put(uri, readFileSync(path));
    return lit.blob(uri, { format: t.value.format });
  }
  if (t?.case !== "simple") throw new UnsupportedValue(`output ${name}: type ${t?.case ?? "unknown"} is not supported by the raw container protocol`);
  const text = readFileSync(path, "utf8").trim();
  const S = core.SimpleType;
  switch (t.value) {
    case S.INTEGER:
      if (!/^-?\d+$/.test(text)) throw new UnsupportedValue(`output ${name}: "${text}" is not an integer`);
      return lit.integer(BigInt(text));
    case S.FLOAT: {
      const f = Number(text);
      if (text === "" || Number.isNaN(f)) throw new UnsupportedValue(`output ${name}: "${text}" is not a float`);
      return lit.float(f);
    }
    case S.BOOLEAN:
      if (!/^(true|false|1|0)$/i.test(text)) throw new UnsupportedValue(`output ${name}: "${text}" is not a boolean`);
      return lit.boolean(/^(true|1)$/i.test(text));
    case S.STRING:
      return lit.string(readFileSync(path, "utf8"));
    default:
      throw new UnsupportedValue(`output ${name}: simple type ${S[t.value]} is not supported by the raw container protocol`);
  }
}
