// Flyte's raw container protocol (DataLoadingConfig, "copilot"), run as a local process. Every input is written
// as a file named after the variable in the input directory (primitives as text, single-file blobs downloaded
// as a file, multipart blobs as a directory), plus inputs.pb and, by the configured format, inputs.json or
// inputs.yaml. `{{.inputs.name}}` in the command becomes the input's text (a blob's local path) and the
// configured in-container paths (e.g. /var/inputs) become this attempt's local directories. Each output
// variable is read back from the file of that name in the output directory and converted by its declared type
// (blobs uploaded under the raw output prefix); an `error` file there means a user error.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { TimestampSchema, type Timestamp } from "@bufbuild/protobuf/wkt";
import { core, decodeMsgpack, durationFromMilliseconds, formatLiteralType, lit, LiteralValueError, toLiteral } from "@aloft/idl";
import type { TaskExecutionContext, TaskPlugin, TaskResult } from "./plugin.ts";
import { runProcess } from "./process.ts";
import { allowedEnv, checkTaskEnvAllow, DEFAULT_TASK_ENV_ALLOW } from "./task-env.ts";

export interface RawContainerPluginOptions {
  /** Each attempt gets a fresh `<workDir>/aloft-raw-<action>_a<attempt>-<random>/{inputs,outputs}`. */
  workDir: string;
  /** Keep each attempt's directory (inputs, outputs) for debugging. */
  keepWorkDirs?: boolean;
  /** Environment added to the inherited variables (the container's env and the engine's come on top). */
  env?: Readonly<Record<string, string>>;
  /**
   * Which of this process's variables a task inherits: names or prefixes ending in `*` (default
   * DEFAULT_TASK_ENV_ALLOW), or "all" — only for a run on the user's own machine, never for a server, whose
   * environment holds its database URL and credentials.
   */
  inheritEnv?: readonly string[] | "all";
}

/** A failure that is the task's (its command, its outputs, its types), reported as USER and never retried. */
class TaskError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const S = core.SimpleType;
const MULTIPART = core.BlobType_BlobDimensionality.MULTIPART;
const TEMPLATE = /\{\{\s*\.inputs\.([A-Za-z0-9_]+)\s*\}\}/g;

export function rawContainerPlugin(options: RawContainerPluginOptions): TaskPlugin {
  const inherit = options.inheritEnv ?? DEFAULT_TASK_ENV_ALLOW;
  if (inherit !== "all") checkTaskEnvAllow(inherit, "inheritEnv");
  return {
    name: "raw-container",
    canHandle: (task) => task.target.case === "container" && task.target.value.dataConfig?.enabled === true,
    async execute(ctx) {
      await mkdir(options.workDir, { recursive: true });
      const key = ctx.actionKey.replace(/[^A-Za-z0-9_.-]/g, "_").slice(-100);
      // mkdtemp: two engines (or two `aloft run`s) sharing a work dir never share an attempt directory.
      const dir = await mkdtemp(join(options.workDir, `aloft-raw-${key}_a${ctx.attempt}-`));
      try {
        const inherited = inherit === "all" ? (process.env as Record<string, string>) : allowedEnv(process.env, inherit);
        return await runRaw(ctx, dir, { ...inherited, ...options.env });
      } catch (err) {
        if (err instanceof TaskError) return failure("USER", err.code, err.message, false);
        return failure("SYSTEM", "RawContainerError", (err as Error).message, true);
      } finally {
        if (!options.keepWorkDirs) await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

function failure(kind: "USER" | "SYSTEM", code: string, message: string, recoverable: boolean): TaskResult {
  return { kind: "failure", error: { kind, code, message, recoverable } };
}

async function runRaw(ctx: TaskExecutionContext, dir: string, baseEnv: Readonly<Record<string, string>>): Promise<TaskResult> {
  const container = ctx.task.target.case === "container" ? ctx.task.target.value : undefined;
  const cfg = container?.dataConfig;
  if (!container || !cfg) throw new Error("not a raw container task");
  const inDir = join(dir, "inputs");
  const outDir = join(dir, "outputs");
  await mkdir(inDir);
  await mkdir(outDir);

  const texts = new Map<string, string>();
  const plainInputs: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(ctx.task.interface?.inputs?.variables ?? {})) {
    const given = ctx.inputs.literals[name];
    if (!given) throw new Error(`input ${name} was not provided`);
    const { text, plain } = await writeInput(ctx, join(inDir, name), await loaded(ctx, given, name), v.type, `input ${name}`);
    texts.set(name, text);
    plainInputs[name] = plain;
  }
  await writeFile(join(inDir, "inputs.pb"), toBinary(core.LiteralMapSchema, ctx.inputs));
  // JSON is valid YAML 1.2, so the YAML file needs no YAML writer.
  if (cfg.format === core.DataLoadingConfig_LiteralMapFormat.JSON) await writeFile(join(inDir, "inputs.json"), jsonText(plainInputs));
  if (cfg.format === core.DataLoadingConfig_LiteralMapFormat.YAML) await writeFile(join(inDir, "inputs.yaml"), jsonText(plainInputs));

  const place = localizer(cfg.inputPath, inDir, cfg.outputPath, outDir, texts);
  const argv = [...container.command, ...container.args].map(place);
  if (argv.length === 0) throw new TaskError("NoCommand", "the container has neither command nor args");
  // The attempt's own TMPDIR, removed with its directory.
  const tmp = join(dir, "tmp");
  await mkdir(tmp);
  const env: Record<string, string> = {
    ...baseEnv,
    ...Object.fromEntries(container.env.map((e) => [e.key, e.value])),
    ...ctx.environment,
    TMPDIR: tmp,
    TMP: tmp,
    TEMP: tmp,
  };
  const exit = await runProcess(argv, dir, env, ctx, { killGraceMs: 0, stderrTailChars: 4000 });
  if (exit.spawnError) throw new TaskError("CommandNotFound", `cannot start ${argv[0]}: ${exit.spawnError.message}`);
  if (ctx.signal.aborted) return failure("SYSTEM", "Aborted", "aborted", true);
  const errorText = await readFile(join(outDir, "error"), "utf8").catch(() => undefined);
  if (errorText !== undefined) return failure("USER", "UserError", errorText, true);
  if (exit.code !== 0) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const tail = exit.stderrTail.trim().split("\n").slice(-5).join("\n");
    return failure("USER", exit.signal ? "Killed" : `ExitCode${exit.code}`, `${argv[0]} ${how}${tail ? `: ${tail}` : ""}`, true);
  }

  const literals: Record<string, core.Literal> = {};
  for (const [name, v] of Object.entries(ctx.task.interface?.outputs?.variables ?? {})) {
    literals[name] = await readOutput(ctx, outDir, name, v.type);
  }
  return { kind: "success", outputs: create(core.LiteralMapSchema, { literals }) };
}

/** Rewrites one command argument: `{{.inputs.x}}` and the in-container directories, in one pass so a substituted value is never rewritten again. */
function localizer(inputPath: string, inDir: string, outputPath: string, outDir: string, texts: ReadonlyMap<string, string>): (arg: string) => string {
  const dirs = new Map<string, string>();
  for (const [from, to] of [[inputPath, inDir], [outputPath, outDir]] as const) {
    const p = from.replace(/\/+$/, "");
    if (p !== "") dirs.set(p, to);
  }
  // A directory is only rewritten as a whole path component: /var/inputs and /var/inputs/x, not /var/inputsx or /a/var/inputs.
  const paths = [...dirs.keys()].sort((a, b) => b.length - a.length).map((p) => `(?<![\\w./-])${escapeRegExp(p)}(?![\\w.-])`);
  const pattern = new RegExp([TEMPLATE.source, ...paths].join("|"), "g");
  return (arg) =>
    arg.replace(pattern, (m, name: string | undefined) => {
      if (name === undefined) return dirs.get(m)!;
      const text = texts.get(name);
      if (text === undefined) throw new TaskError("UnknownInput", `the command uses {{.inputs.${name}}}, which is not an input`);
      return text;
    });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// ---- inputs ----

/** An input stored elsewhere (Flyte's offloaded literal) is fetched first: the program needs its value. */
async function loaded(ctx: TaskExecutionContext, l: core.Literal, name: string): Promise<core.Literal> {
  if (l.value.case !== "offloadedMetadata") return l;
  const bytes = await ctx.blobStore.get(l.value.value.uri);
  if (!bytes) throw new Error(`input ${name}: offloaded literal ${l.value.value.uri} not found`);
  return fromBinary(core.LiteralSchema, bytes);
}

/** Writes one input where the program looks for it; returns its `{{.inputs.x}}` text and its inputs.json value. */
async function writeInput(
  ctx: TaskExecutionContext,
  path: string,
  l: core.Literal,
  type: core.LiteralType | undefined,
  field: string,
): Promise<{ text: string; plain: unknown }> {
  const sv = l.value.case === "scalar" ? l.value.value.value : undefined;
  if (sv?.case === "union" && sv.value.value) return writeInput(ctx, path, sv.value.value, sv.value.type, field);
  if (sv?.case === "blob") {
    const multipart = (sv.value.metadata?.type?.dimensionality ?? (type?.type.case === "blob" ? type.type.value.dimensionality : undefined)) === MULTIPART;
    if (multipart) await downloadDirectory(ctx, sv.value.uri, path, field);
    else await writeFile(path, await download(ctx, sv.value.uri, field));
    return { text: path, plain: path };
  }
  // Bytes are handed over as they are; inputs.json carries them as base64.
  if (sv?.case === "binary" && sv.value.tag === "") {
    await writeFile(path, sv.value.value);
    return { text: path, plain: Buffer.from(sv.value.value).toString("base64") };
  }
  const plain = plainValue(l, field);
  const text = typeof plain === "string" ? plain : jsonText(plain);
  await writeFile(path, text);
  return { text, plain };
}

async function download(ctx: TaskExecutionContext, uri: string, field: string): Promise<Uint8Array> {
  const bytes = await ctx.blobStore.get(uri);
  if (!bytes) throw new Error(`${field}: blob ${uri} not found`);
  return bytes;
}

async function downloadDirectory(ctx: TaskExecutionContext, uri: string, path: string, field: string): Promise<void> {
  const list = ctx.blobStore.list?.bind(ctx.blobStore);
  if (!list) throw new Error(`${field}: the blob store cannot list ${uri}, and a directory input needs listing`);
  const prefix = `${uri.replace(/\/+$/, "")}/`;
  await mkdir(path, { recursive: true });
  for await (const info of list(prefix)) {
    const rel = info.uri.slice(prefix.length);
    if (rel === "" || rel.split("/").includes("..")) continue;
    await mkdir(dirname(join(path, rel)), { recursive: true });
    await writeFile(join(path, rel), await download(ctx, info.uri, field));
  }
}

/**
 * A literal as the plain value a program reads: text for primitives (datetimes ISO-8601, durations in seconds
 * with a unit, as Go and the SDK parse them), JSON-shaped values for structs and collections. Integers stay
 * bigints so inputs.json keeps all 64 bits.
 */
function plainValue(l: core.Literal, field: string): unknown {
  if (l.value.case === "collection") return l.value.value.literals.map((x, i) => plainValue(x, `${field}[${i}]`));
  if (l.value.case === "map") return Object.fromEntries(Object.entries(l.value.value.literals).map(([k, x]) => [k, plainValue(x, `${field}.${k}`)]));
  const sv = l.value.case === "scalar" ? l.value.value.value : undefined;
  switch (sv?.case) {
    case "primitive": {
      const p = sv.value.value;
      switch (p.case) {
        case "integer":
          return p.value;
        case "floatValue":
        case "stringValue":
        case "boolean":
          return p.value;
        case "datetime":
          return isoTimestamp(p.value);
        case "duration":
          return `${Number(p.value.seconds) + p.value.nanos / 1e9}s`;
      }
      break;
    }
    case "noneType":
      return null;
    case "generic":
      return sv.value;
    case "union":
      if (sv.value.value) return plainValue(sv.value.value, field);
      break;
    case "binary":
      if (sv.value.tag === "") return Buffer.from(sv.value.value).toString("base64");
      // flytekit (>= 1.14) sends dataclasses and dicts as msgpack; the program gets them as JSON.
      if (sv.value.tag === "msgpack") return decodeMsgpack(sv.value.value);
      return unsupported(`${field}: binary values tagged "${sv.value.tag}" are not supported by the raw container protocol`);
    case "blob":
      return unsupported(`${field}: blobs inside collections or maps are not supported by the raw container protocol`);
  }
  return unsupported(`${field}: ${sv?.case ?? l.value.case ?? "empty"} values are not supported by the raw container protocol`);
}

function unsupported(message: string): never {
  throw new TaskError("UnsupportedType", message);
}

function isoTimestamp(ts: Timestamp): string {
  const whole = new Date(Number(ts.seconds) * 1000).toISOString().slice(0, 19);
  const frac = ts.nanos ? `.${String(ts.nanos).padStart(9, "0").replace(/0+$/, "")}` : "";
  return `${whole}${frac}Z`;
}

/** JSON text in which bigints are written as exact numbers. */
function jsonText(v: unknown): string {
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return `[${v.map(jsonText).join(",")}]`;
  if (v !== null && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(",")}}`;
  return JSON.stringify(v);
}

// ---- outputs ----

async function readOutput(ctx: TaskExecutionContext, outDir: string, name: string, type: core.LiteralType | undefined): Promise<core.Literal> {
  const field = `output ${name}`;
  if (!type) throw new TaskError("UnsupportedType", `${field} has no declared type`);
  const path = join(outDir, name);
  const info = await stat(path).catch(() => undefined);
  if (!info) {
    const present = (await readdir(outDir)).join(", ") || "nothing";
    throw new TaskError("MissingOutput", `${field} was not written to the output directory (found: ${present})`);
  }
  const t = type.type;
  if (t.case === "blob") {
    const uri = `${ctx.rawOutputPrefix.replace(/\/+$/, "")}/${name}`;
    const multipart = t.value.dimensionality === MULTIPART;
    if (multipart !== info.isDirectory()) throw new TaskError("OutputTypeMismatch", `${field}: expected a ${multipart ? "directory" : "file"} for ${formatLiteralType(type)}, found a ${info.isDirectory() ? "directory" : "file"}`);
    if (multipart) {
      for (const rel of (await readdir(path, { recursive: true })).sort()) {
        const file = join(path, rel);
        if ((await stat(file)).isFile()) await ctx.blobStore.put(`${uri}/${rel.split(sep).join("/")}`, await readFile(file));
      }
    } else {
      await ctx.blobStore.put(uri, await readFile(path));
    }
    return lit.blob(uri, { format: t.value.format, dimensionality: multipart ? "multipart" : "single" });
  }
  if (info.isDirectory()) throw new TaskError("OutputTypeMismatch", `${field}: expected a file for ${formatLiteralType(type)}, found a directory`);
  if (t.case === "simple" && t.value === S.BINARY) return lit.binary(new Uint8Array(await readFile(path)));
  return parseOutput(await readFile(path, "utf8"), type, field);
}

/** Converts an output file's text by the declared type; the error names the variable and what was found. */
function parseOutput(raw: string, type: core.LiteralType, field: string): core.Literal {
  const text = raw.trim();
  const bad = (expected: string): never => {
    throw new TaskError("BadOutput", `${field}: expected ${expected}, got ${JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)}`);
  };
  const t = type.type;
  switch (t.case) {
    case "simple":
      switch (t.value) {
        case S.INTEGER:
          if (!/^[+-]?\d+$/.test(text)) return bad("an integer");
          return converted(field, () => lit.integer(BigInt(text)));
        case S.FLOAT: {
          // Python writes infinities and NaN as inf and nan.
          const special: Record<string, number> = { inf: Infinity, "+inf": Infinity, "-inf": -Infinity, infinity: Infinity, "-infinity": -Infinity, nan: NaN };
          const f = Object.hasOwn(special, text.toLowerCase()) ? special[text.toLowerCase()]! : Number(text);
          if (text === "" || (Number.isNaN(f) && text.toLowerCase() !== "nan")) return bad("a float");
          return lit.float(f);
        }
        case S.BOOLEAN: {
          const b = text.toLowerCase();
          if (b !== "true" && b !== "false" && b !== "1" && b !== "0") return bad("true or false");
          return lit.boolean(b === "true" || b === "1");
        }
        case S.STRING:
          // Programs end text with a newline; it is not part of the value.
          return lit.string(raw.replace(/\r?\n$/, ""));
        case S.DATETIME:
          return lit.datetime(parseTimestamp(text) ?? bad("an ISO-8601 datetime such as 2024-01-31T12:00:00Z"));
        case S.DURATION: {
          const ms = parseDurationMs(text);
          if (ms === undefined) return bad("a duration with units such as 90s, 1h30m or 250ms");
          return lit.duration(durationFromMilliseconds(ms));
        }
        case S.NONE:
          if (!/^(|null|none)$/i.test(text)) return bad("null");
          return lit.none();
        case S.STRUCT:
          return converted(field, () => toLiteral(json(text, field, "a JSON object"), type));
      }
      break;
    case "enumType":
      if (!t.value.values.includes(text)) return bad(`one of ${t.value.values.join(", ")}`);
      return lit.string(text);
    case "collectionType":
      return converted(field, () => toLiteral(json(text, field, "a JSON array"), type));
    case "mapValueType":
      return converted(field, () => toLiteral(json(text, field, "a JSON object"), type));
    case "unionType": {
      // The first variant the text reads as wins, in declaration order (flytekit's rule).
      for (const variant of t.value.variants) {
        if (variant.type.case === "blob" || (variant.type.case === "simple" && variant.type.value === S.BINARY)) continue;
        try {
          return lit.union(parseOutput(raw, variant, field), variant);
        } catch (e) {
          if (!(e instanceof TaskError) || e.code !== "BadOutput") throw e;
        }
      }
      return bad(formatLiteralType(type));
    }
  }
  return unsupported(`${field}: type ${formatLiteralType(type)} is not supported by the raw container protocol`);
}

function json(text: string, field: string, expected: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new TaskError("BadOutput", `${field}: expected ${expected}, got ${JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)}`);
  }
}

/** Runs a shared literal conversion, reporting its error as the program's bad output. */
function converted(field: string, f: () => core.Literal): core.Literal {
  try {
    return f();
  } catch (e) {
    if (e instanceof LiteralValueError) throw new TaskError("BadOutput", `${field}: ${e.message}`);
    throw e;
  }
}

/** ISO-8601 / RFC 3339 to a Timestamp with every fractional digit kept; no zone means UTC, never local time. */
function parseTimestamp(text: string): Timestamp | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(text);
  if (!m) return undefined;
  const zone = !m[5] || m[5].toUpperCase() === "Z" ? "Z" : m[5].length === 5 ? `${m[5].slice(0, 3)}:${m[5].slice(3)}` : m[5];
  const ms = Date.parse(`${m[1]}T${m[2] ?? "00:00"}:${m[3] ?? "00"}${zone}`);
  if (Number.isNaN(ms)) return undefined;
  return create(TimestampSchema, { seconds: BigInt(Math.floor(ms / 1000)), nanos: Number((m[4] ?? "").padEnd(9, "0").slice(0, 9)) });
}

const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Go-style durations (`90s`, `1h30m`, `250ms`, `-1.5s`); a bare number is refused, as its unit would be a guess. */
function parseDurationMs(text: string): number | undefined {
  if (text === "0") return 0;
  const m = /^([+-]?)((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))+)$/.exec(text);
  if (!m) return undefined;
  let total = 0;
  for (const p of m[2]!.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/g)) total += Number(p[1]) * unitMs[p[2]!]!;
  return m[1] === "-" ? -total : total;
}
