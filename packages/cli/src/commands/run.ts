// `aloft run <file> <workflow> --<input> <value>…`: runs a workflow locally through the engine (in-process, data in
// memory unless --store-dir), or hands it to the remote-run module with --remote.
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { formatLiteralType } from "@aloft/idl";
import {
  describeInputs,
  InputError,
  inputFlags,
  isFlyte2Task,
  isLaunchPlan,
  loadWorkflowModule,
  localCatalog,
  nodeLabels,
  parseInputs,
  pickWorkflow,
  progressSink,
  reachableTasks,
  runWorkflow,
  taskWorkflow,
  TypeMismatchError,
  WorkflowFailedError,
  type LaunchPlanDef,
  type OutputDecl,
  type SchemaMap,
  type WorkflowDef,
} from "@aloft/sdk";
import { UsageError, type Command, type CommandIO } from "../command.ts";
import type { RemoteRunRequest } from "../remote/run.ts";
import { enableUserCode } from "../user-code.ts";
import { formatNodeReport, localNodeCollector, teeSink } from "../node-report.ts";

const usage = `Usage: aloft run [options] <file.ts> <workflow> [--<input> <value>…]

Runs a workflow (or launch plan) exported by <file.ts>, or a Flyte 2 task (env.task) with the tasks it calls,
each call a child action. Inputs are parsed by their declared types: numbers
and strings as written, booleans as true/false, datetimes as ISO-8601, durations as 90s/5m/1h30m, lists, maps
and structs as JSON, files and datasets as local paths or URIs.

Options (before <file.ts>, or after <workflow> among the inputs unless the workflow has an input of that name):
  --remote           run on the Aloft server instead of locally
  --store-dir <dir>  where run data (inputs, outputs, datasets) is kept (default: $TMPDIR/aloft-local)
  --no-cache         run cached tasks even when the local cache has their outputs
  --cache <mode>     local (default); remote: also read the server's cache (--endpoint, --project, --domain
                     after <workflow>, as for --remote); remote-write: read it and write results to it too
  --quiet            do not print node progress
  --json             print outputs as one JSON object ({outputs, nodes} with --nodes; {error, nodes} if it fails)
  --nodes            after the outputs, print each node's id, name, phase and cache status (remote runs too)
  --verbose          print stack traces

Example:
  aloft run examples/etl/etl.ts etlPipeline --rows 1000`;

type CacheMode = "local" | "remote" | "remote-write";

interface RunFlags {
  remote: boolean;
  cache: boolean;
  cacheMode: CacheMode;
  storeDir?: string;
  quiet: boolean;
  json: boolean;
  nodes: boolean;
}

/** Applies run's own option at argv[i]; returns the index of its last word, or undefined if it is not one. */
function runFlag(argv: readonly string[], i: number, flags: RunFlags): number | undefined {
  const a = argv[i]!;
  if (a === "--remote") flags.remote = true;
  else if (a === "--quiet") flags.quiet = true;
  else if (a === "--no-cache") flags.cache = false;
  else if (a === "--json") flags.json = true;
  else if (a === "--nodes") flags.nodes = true;
  else if (a === "--cache") {
    const v = argv[i + 1];
    if (v !== "local" && v !== "remote" && v !== "remote-write") throw new UsageError(`--cache must be local, remote or remote-write, got ${JSON.stringify(v ?? "")}`);
    flags.cacheMode = v;
    return i + 1;
  } else if (a === "--store-dir") {
    const v = argv[i + 1];
    if (!v) throw new UsageError("--store-dir needs a directory");
    flags.storeDir = v;
    return i + 1;
  } else return undefined;
  return i;
}

function splitArgs(argv: string[]): { flags: RunFlags; file: string; name: string; rest: string[] } {
  const flags: RunFlags = { remote: false, cache: true, cacheMode: "local", quiet: false, json: false, nodes: false };
  let i = 0;
  for (; i < argv.length && argv[i]!.startsWith("--"); i++) {
    const end = runFlag(argv, i, flags);
    if (end === undefined) throw new UsageError(`unknown option ${argv[i]}\n\n${usage}`);
    i = end;
  }
  const [file, name, ...rest] = argv.slice(i);
  if (!file || !name) throw new UsageError(`expected <file.ts> <workflow>\n\n${usage}`);
  if (file.startsWith("-") || name.startsWith("-")) throw new UsageError(`expected <file.ts> <workflow> before inputs, got ${JSON.stringify(file.startsWith("-") ? file : name)}\n\n${usage}`);
  return { flags, file, name, rest };
}

/**
 * Run's own options given after the workflow name (`aloft run f.ts wf --rows 5 --no-cache`) are taken out of the
 * inputs, unless the workflow has an input of that name: then it is the input.
 */
function takeTrailingFlags(rest: readonly string[], flags: RunFlags, inputs: ReadonlySet<string>): string[] {
  const left: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const end = a.startsWith("--") && !inputs.has(a.slice(2)) ? runFlag(rest, i, flags) : undefined;
    if (end === undefined) left.push(a);
    else i = end;
  }
  return left;
}

interface RunInputs {
  wf: WorkflowDef<SchemaMap, OutputDecl>;
  /** The workflow's defaults, the launch plan's, and the launch plan's fixed inputs over them. */
  defaults: Record<string, unknown>;
  values: Record<string, unknown>;
}

/** Parses `--<input> <value>` words by the workflow's (or launch plan's) declared inputs; errors list the inputs. */
function parseRunInputs(entity: WorkflowDef<SchemaMap, OutputDecl> | LaunchPlanDef<SchemaMap, OutputDecl>, name: string, words: string[]): RunInputs {
  const wf = isLaunchPlan(entity) ? entity.workflow : entity;
  const fixed = isLaunchPlan(entity) ? ((entity.options.fixed ?? {}) as Record<string, unknown>) : {};
  const defaults = { ...((wf.options.defaults ?? {}) as Record<string, unknown>), ...(isLaunchPlan(entity) ? (entity.options.defaults ?? {}) : {}), ...fixed };
  const given = inputFlags(words);
  for (const k of given.keys()) if (k in fixed) throw new InputError(`input --${k} is fixed by launch plan "${name}"`);
  try {
    return { wf, defaults, values: parseInputs(wf.inputs as SchemaMap, given, defaults) };
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${e.message}\n\ninputs of ${name}:\n${describeInputs(wf.inputs as SchemaMap, defaults).join("\n") || "  (none)"}`);
    throw e;
  }
}

/** `--remote`: loaded only then, as it pulls in the gRPC client. */
async function runRemote(request: RemoteRunRequest, io: CommandIO): Promise<number> {
  const remote = await import("../remote/run.ts");
  return remote.runRemote(request, io);
}

export const run: Command = {
  name: "run",
  usage,
  async run(argv, io) {
    const { flags, file, name, rest: words } = splitArgs(argv);
    await enableUserCode();
    let collector: ReturnType<typeof localNodeCollector> | undefined;
    try {
      const m = await loadWorkflowModule(file);
      // A Flyte 2 task runs as the one node of a generated workflow; the tasks it may call travel in the closure.
      const exported = m.exports[name];
      const flyte2 = isFlyte2Task(exported) ? exported : undefined;
      const entity = flyte2 ? taskWorkflow(flyte2) : pickWorkflow(m, file, name);
      const wf = isLaunchPlan(entity) ? entity.workflow : entity;
      const args = takeTrailingFlags(words, flags, new Set(Object.keys(wf.inputs)));
      if (flags.remote) {
        if (flags.cacheMode !== "local" || !flags.cache || flags.storeDir) throw new UsageError("--cache, --no-cache and --store-dir are for local runs; a remote run uses the server's cache and store");
        const report = { nodes: flags.nodes, json: flags.json, quiet: flags.quiet };
        // Inputs are checked here, before anything is registered (endpoint, project and domain are not inputs).
        return await runRemote({ file, workflow: name, entity, argv: args, check: (inputs) => parseRunInputs(entity, name, inputs), ...report }, io);
      }
      if (flags.cacheMode !== "local" && !flags.cache) throw new UsageError(`--no-cache and --cache ${flags.cacheMode} contradict each other`);
      const storeDir = resolve(flags.storeDir ?? join(tmpdir(), "aloft-local"));
      const catalogDir = join(storeDir, "catalog");
      // Loaded only when asked for: it pulls in the gRPC client, which a plain local run does not need.
      const shared = flags.cacheMode === "local" ? undefined : (await import("../remote/tiered-cache.ts")).sharedCatalog(args, catalogDir, flags.cacheMode === "remote-write");
      const rest = shared?.rest ?? args;
      collector = flags.nodes ? localNodeCollector() : undefined;
      const { defaults, values } = parseRunInputs(entity, name, rest);
      const progress = !flags.quiet && !flags.json;
      if (progress) io.err(`running ${name} from ${file}`);
      const progressEvents = progress ? progressSink((line) => io.err(line), nodeLabels(wf, m.exports)) : undefined;
      const sink = collector?.sink;
      const events = sink && progressEvents ? teeSink(progressEvents, sink) : (sink ?? progressEvents);
      // Data goes to disk so the URIs printed for files and datasets can be opened after the run. The cache lives
      // beside it: its entries point at that data.
      const result = await runWorkflow(wf, { ...defaults, ...values }, {
        storeDir,
        ...(shared
          ? { project: shared.project, domain: shared.domain, catalog: shared.catalog }
          : flags.cache
            ? { catalog: localCatalog(catalogDir) }
            : {}),
        ...(events ? { events } : {}),
        ...(flyte2 ? { tasks: reachableTasks(flyte2) } : {}),
      });
      const outputs = wf.outputs as SchemaMap;
      const record: Record<string, unknown> = wf.singleOutput ? { o0: result.outputs } : ((result.outputs ?? {}) as Record<string, unknown>);
      const json = Object.fromEntries(Object.entries(outputs).map(([k, s]) => [k, s.toJson(record[k] as never)]));
      const nodes = collector?.report(result.execution);
      if (flags.json) io.out(JSON.stringify(nodes ? { outputs: json, nodes } : json));
      else {
        for (const [k, s] of Object.entries(outputs)) io.out(`${k} (${formatLiteralType(s.literalType())}): ${JSON.stringify(json[k])}`);
        if (nodes) io.out(formatNodeReport(nodes));
      }
      return 0;
    } catch (e) {
      if (e instanceof InputError || e instanceof TypeMismatchError) throw new UsageError(e.message);
      if (e instanceof WorkflowFailedError && !io.verbose) {
        // The task's traceback stays behind --verbose; the first line says what failed.
        const [first] = e.message.split("\n");
        io.err(`aloft run: ${first}`);
        if (collector && flags.json) io.out(JSON.stringify({ error: first, nodes: collector.report() }));
        else if (collector) io.err(formatNodeReport(collector.report()));
        return 1;
      }
      throw e;
    }
  },
};
