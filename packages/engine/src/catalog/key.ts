// The cache key, shared by the engine's catalog and the SDK's local cache: task identity
// (project/domain/name, not version), the cache version (`metadata.discovery_version`), the typed
// signature (a hash of the interface) and the hash of the inputs (minus `cache_ignore_input_vars`).
// Per-input hashes are kept too, to explain a miss by naming the input that changed.
import { createHash } from "node:crypto";
import { toBinary } from "@bufbuild/protobuf";
import { core, hashify, literalDigest, objectHash } from "@aloft/idl";
import { InvalidArgumentError } from "../errors.ts";

export interface CacheKey {
  /** project/domain/name of the task. */
  task: string;
  version: string;
  signature: string;
  inputs: string;
  /** Hash of each input that counts (ignored inputs are absent). */
  inputHashes: Record<string, string>;
}

const signatures = new WeakMap<core.TypedInterface, string>();

/** A stable hash of the task interface: variables sorted by name, types in protobuf binary form. */
export function signatureHash(iface: core.TypedInterface | undefined): string {
  // Interfaces are not mutated once compiled: hash each object once (lookups are per node).
  if (!iface) return computeSignature(undefined);
  let sig = signatures.get(iface);
  if (sig === undefined) signatures.set(iface, (sig = computeSignature(iface)));
  return sig;
}

function computeSignature(iface: core.TypedInterface | undefined): string {
  const h = createHash("sha256");
  for (const [side, vars] of [["in", iface?.inputs], ["out", iface?.outputs]] as const) {
    for (const name of Object.keys(vars?.variables ?? {}).sort()) {
      const t = vars!.variables[name]!.type;
      h.update(`${side}:${name}:`);
      if (t) h.update(toBinary(core.LiteralTypeSchema, t));
      h.update("\n");
    }
  }
  return h.digest("hex").slice(0, 32);
}

export function cacheKey(task: core.TaskTemplate, inputs: core.LiteralMap): CacheKey {
  const id = task.id;
  if (!id?.project || !id.domain || !id.name) throw new InvalidArgumentError("task.id", "project, domain and name are required for caching");
  const ignored = task.metadata?.cacheIgnoreInputVars ?? [];
  const inputHashes: Record<string, string> = {};
  const digests: Array<{ k: Uint8Array; v: Uint8Array }> = [];
  for (const [name, l] of Object.entries(inputs.literals)) {
    if (ignored.includes(name)) continue;
    const d = literalDigest(hashify(l));
    inputHashes[name] = Buffer.from(d).toString("hex");
    digests.push({ k: objectHash(name), v: d });
  }
  return {
    task: `${id.project}/${id.domain}/${id.name}`,
    version: task.metadata?.discoveryVersion ?? "",
    signature: signatureHash(task.interface),
    inputs: Buffer.from(mapDigest(digests)).toString("hex"),
    inputHashes,
  };
}

const tagged = (tag: string, ...parts: Uint8Array[]) => {
  const h = createHash("sha256").update(tag);
  for (const p of parts) h.update(p);
  return h.digest();
};
const LITERALS_KEY = objectHash("literals");

/**
 * `hashLiteralMap` (objecthash of the map's proto3 JSON) from the digests of its literals, which
 * the per-input hashes need anyway: every literal is hashed once instead of twice.
 * JSON `{"literals": {name: literal, …}}`, or `{}` for no literals; objecthash sorts entries by key hash.
 */
function mapDigest(entries: Array<{ k: Uint8Array; v: Uint8Array }>): Uint8Array {
  if (entries.length === 0) return tagged("d");
  entries.sort((a, b) => Buffer.compare(a.k, b.k));
  const inner = tagged("d", ...entries.flatMap((e) => [e.k, e.v]));
  return tagged("d", LITERALS_KEY, inner);
}

/** Why `key` missed, given the most recent entries stored for the same task. */
export function explainMiss(key: CacheKey, recent: readonly CacheKey[]): string {
  if (recent.length === 0) return "miss: no entry for this task";
  const sameVersion = recent.filter((r) => r.version === key.version);
  if (sameVersion.length === 0) return `miss: cache version changed ${recent[0]!.version || "(none)"} → ${key.version || "(none)"}`;
  const sameSignature = sameVersion.filter((r) => r.signature === key.signature);
  if (sameSignature.length === 0) return "miss: task interface changed (inputs or outputs were added, removed or retyped)";
  const nearest = sameSignature[0]!;
  const changed: string[] = [];
  for (const name of new Set([...Object.keys(key.inputHashes), ...Object.keys(nearest.inputHashes)])) {
    if (key.inputHashes[name] !== nearest.inputHashes[name]) changed.push(`\`${name}\``);
  }
  if (changed.length === 0) return "miss: no entry for these inputs";
  return `miss: input${changed.length > 1 ? "s" : ""} ${changed.join(", ")} changed`;
}
