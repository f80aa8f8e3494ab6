// Where every piece of execution data lives, following Flyte's layout so that flytekit tasks and tools that know
// Flyte's paths find things where they expect them:
//
//   <base>/metadata/propeller/<project>-<domain>-<name>/          execution metadata prefix (propeller)
//     <node>/data/inputs.pb                                       top-level node inputs
//     <node>/data/<attempt>/{outputs.pb,error.pb,futures.pb,deck.html}
//     <node>/data/<attempt>/<child>/inputs.pb                     child of a subworkflow / branch / dynamic node
//     <node>/data/<attempt>/<child>/<childAttempt>/outputs.pb
//   array subtask i of a node: <node data dir>/<i>/<attempt>/inputs.pb, <node output dir>/<i>/<attempt>/outputs.pb
//   <base>/metadata/<project>/<domain>/<name>/inputs              execution inputs (admin)
//   <rawDataPrefix>/<shard>/<name>-<nodeUniqueId>-<attempt>        raw output prefix of a task attempt
//   <base>/<uploadPrefix>/<org>/<project>/<domain>/<md5 base32 | filenameRoot>/<filename>   DataProxy uploads
import { InvalidStorageArgumentError } from "./errors.ts";
import { base32Std, base36Shard, fixedLengthUniqueId } from "./unique-id.ts";
import { joinUri, parseBlobUri } from "./uri.ts";

export interface ExecutionRef {
  project: string;
  domain: string;
  name: string;
  org?: string;
}

/**
 * One step on the way from an execution to a node: a node id with the attempt it is on, or a subtask of an array
 * node by index. The first step is a top-level node; every further step is a child of the step before it.
 */
export type NodeStep = { nodeId: string; attempt: number } | { arrayIndex: number; attempt: number };

export interface NodeDataPaths {
  /** Node data directory: holds inputs.pb and, per attempt, the output directories. */
  dataDir: string;
  /** Output directory of the node's current attempt. */
  outputDir: string;
  inputs: string;
  outputs: string;
  error: string;
  futures: string;
  deck: string;
  /** Flyte's unique id of the node across nesting (e.g. `n0-0-n1`); also its id in node execution events. */
  uniqueId: string;
}

export interface DataLayoutOptions {
  /** Base URI for metadata, e.g. `file:///var/aloft/data` or `s3://bucket`. */
  base: string;
  /** Propeller's metadata folder under base. Default `metadata/propeller`. */
  propellerMetadataPrefix?: string;
  /** Default raw output data prefix. Default `<base>/data`. */
  rawDataPrefix?: string;
  /** Folder under base for DataProxy uploads. Default `uploads` (Flyte's default is none; a folder keeps buckets tidy). */
  uploadPrefix?: string;
}

export interface UploadLocationRequest {
  project: string;
  domain: string;
  org?: string;
  /** Required unless `contentMd5` is given: groups files of one upload (e.g. a fast-register bundle). */
  filenameRoot?: string;
  /** Raw MD5 digest of the content; names the folder when there is no filenameRoot. */
  contentMd5?: Uint8Array;
  /** File name; the server generates one when the client sent none. */
  filename: string;
}

// Flyte's length limits for node unique ids and raw output folder names.
const NODE_UNIQUE_ID_MAX = 20;
const RAW_OUTPUT_ID_MAX = 50;

export class DataLayout {
  readonly base: string;
  readonly rawDataPrefix: string;
  private readonly propellerPrefix: string;
  private readonly uploadPrefix: string;

  constructor(options: DataLayoutOptions) {
    parseBlobUri(options.base);
    if (options.rawDataPrefix !== undefined) parseBlobUri(options.rawDataPrefix);
    this.base = options.base.replace(/\/+$/, "");
    this.propellerPrefix = options.propellerMetadataPrefix ?? "metadata/propeller";
    this.uploadPrefix = options.uploadPrefix ?? "uploads";
    this.rawDataPrefix = options.rawDataPrefix ?? joinUri(this.base, "data");
  }

  /** Metadata prefix of an execution: `<base>/metadata/propeller/<project>-<domain>-<name>`. */
  executionPrefix(exec: ExecutionRef): string {
    checkExecution(exec);
    return joinUri(this.base, this.propellerPrefix, `${exec.project}-${exec.domain}-${exec.name}`);
  }

  /** Data paths of the node reached by `path` (see NodeStep). */
  node(exec: ExecutionRef, path: readonly NodeStep[]): NodeDataPaths {
    if (path.length === 0) throw new InvalidStorageArgumentError("path", "a node path needs at least one step");
    const first = path[0] as NodeStep;
    if (!("nodeId" in first)) throw new InvalidStorageArgumentError("path[0]", "the first step must be a node id, not an array index");
    checkStep(first, 0);
    let dataDir = joinUri(this.executionPrefix(exec), first.nodeId, "data");
    let outputDir = joinUri(dataDir, first.attempt);
    // Flyte's unique id: each level is "<parent unique id>-<parent attempt>-<node id>", shortened past 20 chars.
    let uniqueId = fixedLengthUniqueId(NODE_UNIQUE_ID_MAX, ["", "", first.nodeId]);
    let parentAttempt = first.attempt;
    path.slice(1).forEach((step, i) => {
      checkStep(step, i + 1);
      if ("nodeId" in step) {
        dataDir = joinUri(outputDir, step.nodeId);
        outputDir = joinUri(dataDir, step.attempt);
        uniqueId = fixedLengthUniqueId(NODE_UNIQUE_ID_MAX, [uniqueId, String(parentAttempt), step.nodeId]);
      } else {
        dataDir = joinUri(dataDir, step.arrayIndex, step.attempt);
        outputDir = joinUri(outputDir, step.arrayIndex, step.attempt);
        uniqueId = fixedLengthUniqueId(NODE_UNIQUE_ID_MAX, [uniqueId, String(parentAttempt), `n${step.arrayIndex}`]);
      }
      parentAttempt = step.attempt;
    });
    return {
      dataDir,
      outputDir,
      inputs: joinUri(dataDir, "inputs.pb"),
      outputs: joinUri(outputDir, "outputs.pb"),
      error: joinUri(outputDir, "error.pb"),
      futures: joinUri(outputDir, "futures.pb"),
      deck: joinUri(outputDir, "deck.html"),
      uniqueId,
    };
  }

  /**
   * Raw output prefix of a task attempt: where the task writes files, dataframes and offloaded data.
   * `rawDataPrefix` overrides the default per execution (Flyte's raw_output_data_config).
   */
  rawOutputPrefix(exec: ExecutionRef, path: readonly NodeStep[], rawDataPrefix?: string): string {
    const { uniqueId } = this.node(exec, path);
    const attempt = (path[path.length - 1] as NodeStep).attempt;
    const id = fixedLengthUniqueId(RAW_OUTPUT_ID_MAX, [exec.name, uniqueId, String(attempt)]);
    const prefix = rawDataPrefix ?? this.rawDataPrefix;
    parseBlobUri(prefix);
    return joinUri(prefix, base36Shard(id), id);
  }

  /** Admin's copy of the execution inputs (a LiteralMap, no file extension, as flyteadmin writes it). */
  executionInputs(exec: ExecutionRef): string {
    return joinUri(this.adminPrefix(exec), "inputs");
  }

  /** The inputs exactly as the user sent them, before defaults were applied. */
  executionUserInputs(exec: ExecutionRef): string {
    return joinUri(this.adminPrefix(exec), "user_inputs");
  }

  /** Where the control plane offloads execution outputs reported in events. */
  executionOutputs(exec: ExecutionRef): string {
    return joinUri(this.adminPrefix(exec), "offloaded_outputs");
  }

  /** Where the control plane offloads a node execution's inputs reported in events. */
  nodeEventInputs(exec: ExecutionRef, nodeId: string): string {
    return joinUri(this.adminPrefix(exec), nodeId, "offloaded_inputs");
  }

  /** Where the control plane offloads a node execution's outputs reported in events. */
  nodeEventOutputs(exec: ExecutionRef, nodeId: string): string {
    return joinUri(this.adminPrefix(exec), nodeId, "offloaded_outputs");
  }

  /** The native URI an upload lands at (DataProxy CreateUploadLocation). */
  uploadLocation(req: UploadLocationRequest): string {
    if (!req.project || !req.domain) throw new InvalidStorageArgumentError("project/domain", "both are required for an upload location");
    if (!req.filename) throw new InvalidStorageArgumentError("filename", "is required");
    if (req.filename.includes("/")) throw new InvalidStorageArgumentError("filename", `must not contain "/", got ${JSON.stringify(req.filename)}`);
    let folder: string;
    if (req.filenameRoot) folder = req.filenameRoot;
    else if (req.contentMd5 && req.contentMd5.length > 0) folder = base32Std(req.contentMd5);
    else throw new InvalidStorageArgumentError("filenameRoot/contentMd5", "one of them is required");
    return joinUri(this.base, this.uploadPrefix, req.org ?? "", req.project, req.domain, folder, req.filename);
  }

  private adminPrefix(exec: ExecutionRef): string {
    checkExecution(exec);
    return joinUri(this.base, "metadata", exec.project, exec.domain, exec.name);
  }
}

function checkExecution(exec: ExecutionRef): void {
  for (const field of ["project", "domain", "name"] as const) {
    const v = exec[field];
    if (!v || v.includes("/")) throw new InvalidStorageArgumentError(`execution.${field}`, `must be non-empty without "/", got ${JSON.stringify(v)}`);
  }
}

function checkStep(step: NodeStep, i: number): void {
  if (!Number.isInteger(step.attempt) || step.attempt < 0) {
    throw new InvalidStorageArgumentError(`path[${i}].attempt`, `must be a non-negative integer, got ${step.attempt}`);
  }
  if ("nodeId" in step) {
    if (!step.nodeId || step.nodeId.includes("/")) {
      throw new InvalidStorageArgumentError(`path[${i}].nodeId`, `must be non-empty without "/", got ${JSON.stringify(step.nodeId)}`);
    }
  } else if (!Number.isInteger(step.arrayIndex) || step.arrayIndex < 0) {
    throw new InvalidStorageArgumentError(`path[${i}].arrayIndex`, `must be a non-negative integer, got ${step.arrayIndex}`);
  }
}
