// Cache keys and entries as JSON, for the server's cache API and its clients (`aloft cache`, `aloft run --cache
// remote`): the key travels as the engine computes it, outputs as base64 of a binary core.LiteralMap. Decoding
// validates every field and names the one that is wrong.
import { fromBinary } from "@bufbuild/protobuf";
import { core } from "@aloft/idl";
import { InvalidArgumentError } from "../errors.ts";
import type { SourceTaskExecution } from "./catalog.ts";
import type { CacheKey } from "./key.ts";
import type { CacheEntry } from "./storage.ts";

export interface CacheKeyJson {
  task: string;
  version: string;
  signature: string;
  inputs: string;
  inputHashes: Record<string, string>;
}

export interface CacheEntryJson {
  key: CacheKeyJson;
  /** base64 of the binary core.LiteralMap. */
  outputs: string;
  sourceExecution: string;
  sourceAction: string;
  sourceTaskExecution?: SourceTaskExecution;
  createdAt: number;
}

export function entryToJson(e: CacheEntry): CacheEntryJson {
  return {
    key: e.key,
    outputs: Buffer.from(e.outputs).toString("base64"),
    sourceExecution: e.sourceExecution,
    sourceAction: e.sourceAction,
    ...(e.sourceTaskExecution ? { sourceTaskExecution: e.sourceTaskExecution } : {}),
    createdAt: e.createdAt,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function str(o: Record<string, unknown>, name: string, field: string, pattern?: RegExp): string {
  const v = o[name];
  if (typeof v !== "string") throw new InvalidArgumentError(`${field}.${name}`, "must be a string");
  if (pattern && !pattern.test(v)) throw new InvalidArgumentError(`${field}.${name}`, `must match ${pattern}`);
  return v;
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (!isObject(v)) throw new InvalidArgumentError(field, "must be an object");
  return v;
}

const HEX = /^[0-9a-f]{1,128}$/;

export function keyFromJson(v: unknown, field = "key"): CacheKey {
  const o = obj(v, field);
  const hashes = obj(o.inputHashes, `${field}.inputHashes`);
  const inputHashes: Record<string, string> = {};
  for (const [name, h] of Object.entries(hashes)) {
    if (typeof h !== "string" || !HEX.test(h)) throw new InvalidArgumentError(`${field}.inputHashes.${name}`, "must be a hex hash");
    inputHashes[name] = h;
  }
  return {
    task: str(o, "task", field, /^[^/]+\/[^/]+\/.+$/),
    version: str(o, "version", field),
    signature: str(o, "signature", field, HEX),
    inputs: str(o, "inputs", field, HEX),
    inputHashes,
  };
}

function sourceFromJson(v: unknown, field: string): SourceTaskExecution {
  const o = obj(v, field);
  const task = obj(o.task, `${field}.task`);
  const execution = obj(o.execution, `${field}.execution`);
  const attempt = o.retryAttempt;
  if (typeof attempt !== "number" || !Number.isInteger(attempt) || attempt < 0) throw new InvalidArgumentError(`${field}.retryAttempt`, "must be a non-negative integer");
  return {
    task: { project: str(task, "project", `${field}.task`), domain: str(task, "domain", `${field}.task`), name: str(task, "name", `${field}.task`), version: str(task, "version", `${field}.task`) },
    execution: { project: str(execution, "project", `${field}.execution`), domain: str(execution, "domain", `${field}.execution`), name: str(execution, "name", `${field}.execution`) },
    nodeId: str(o, "nodeId", field),
    retryAttempt: attempt,
  };
}

export function entryFromJson(v: unknown, field = "entry"): CacheEntry {
  const o = obj(v, field);
  const text = str(o, "outputs", field, /^[A-Za-z0-9+/]*={0,2}$/);
  const outputs = new Uint8Array(Buffer.from(text, "base64"));
  try {
    fromBinary(core.LiteralMapSchema, outputs);
  } catch (e) {
    throw new InvalidArgumentError(`${field}.outputs`, `is not a binary core.LiteralMap: ${(e as Error).message}`);
  }
  const createdAt = o.createdAt;
  if (typeof createdAt !== "number" || !Number.isFinite(createdAt)) throw new InvalidArgumentError(`${field}.createdAt`, "must be epoch milliseconds");
  return {
    key: keyFromJson(o.key, `${field}.key`),
    outputs,
    sourceExecution: str(o, "sourceExecution", field),
    sourceAction: str(o, "sourceAction", field),
    ...(o.sourceTaskExecution !== undefined ? { sourceTaskExecution: sourceFromJson(o.sourceTaskExecution, `${field}.sourceTaskExecution`) } : {}),
    createdAt,
  };
}
