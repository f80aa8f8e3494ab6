// `task.override({...})`: the same task (same identity, so the same child names and cache entries) run with other
// retries, timeout, resources, cache use or interruptibility, as Flyte 2's `task.override`.
import { clone } from "@bufbuild/protobuf";
import { core, durationFromMilliseconds } from "@aloft/idl";
import type { NodeOverrides, Resources } from "../entity.ts";
import { DefinitionError } from "../errors.ts";
import { checkOptionKeys } from "../options.ts";
import { resources } from "../serialize/task-parts.ts";

export interface TaskOverrides {
  retries?: number;
  /** Milliseconds. */
  timeout?: number;
  resources?: Resources;
  /** false: run even when the cache has a result. */
  cache?: boolean;
  interruptible?: boolean;
}

export const OVERRIDE_KEYS = ["retries", "timeout", "resources", "cache", "interruptible"] as const;

export function checkOverrides(o: TaskOverrides, label: string): void {
  checkOptionKeys(o, OVERRIDE_KEYS, `${label}.override`);
  if (o.retries !== undefined && !(Number.isInteger(o.retries) && o.retries >= 0)) throw new DefinitionError(`${label}.override: retries must be a non-negative integer, got ${o.retries}`);
  if (o.timeout !== undefined && !(o.timeout > 0)) throw new DefinitionError(`${label}.override: timeout must be a positive number of milliseconds, got ${o.timeout}`);
  if (o.resources) resources(o.resources, `${label}.override resources`);
}

/** The overrides as a workflow node's overrides (when a Flyte 1 workflow calls the overridden task). */
export function asNodeOverrides(o: TaskOverrides): NodeOverrides {
  const n: NodeOverrides = {};
  if (o.retries !== undefined) n.retries = o.retries;
  if (o.timeout !== undefined) n.timeout = o.timeout;
  if (o.resources !== undefined) n.resources = o.resources;
  if (o.cache !== undefined) n.cache = o.cache;
  if (o.interruptible !== undefined) n.interruptible = o.interruptible;
  return n;
}

export function overriddenTemplate(base: core.TaskTemplate, o: TaskOverrides, label: string): core.TaskTemplate {
  const t = clone(core.TaskTemplateSchema, base);
  const md = (t.metadata ??= clone(core.TaskMetadataSchema, base.metadata ?? ({} as core.TaskMetadata)));
  if (o.retries !== undefined) md.retries = { $typeName: "flyteidl.core.RetryStrategy", retries: o.retries };
  if (o.timeout !== undefined) md.timeout = durationFromMilliseconds(o.timeout);
  if (o.cache === false) md.discoverable = false;
  if (o.cache === true && !md.discoverable) throw new DefinitionError(`${label}.override: cache: true needs the task to declare a cache (with its version)`);
  if (o.interruptible !== undefined) md.interruptibleValue = { case: "interruptible", value: o.interruptible };
  if (o.resources) {
    if (t.target.case !== "container") throw new DefinitionError(`${label}.override: resources apply to container tasks only`);
    t.target.value.resources = resources(o.resources, `${label}.override resources`);
  }
  return t;
}
