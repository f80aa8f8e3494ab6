// The parts of a TaskTemplate every task kind fills the same way: interface, metadata (retries, cache, timeout),
// container resources and environment, and secret requests.
import { create } from "@bufbuild/protobuf";
import { core, durationFromMilliseconds } from "@aloft/idl";
import { DefinitionError } from "../errors.ts";
import type { ResourceSpec, Resources } from "../entity.ts";
import type { TaskCommonOptions } from "../task-entity.ts";
import type { SchemaMap } from "../types/schema.ts";

export const SDK_VERSION = "0.1.0";

export function variableMap(schemas: SchemaMap): core.VariableMap {
  return create(core.VariableMapSchema, {
    variables: Object.fromEntries(
      Object.entries(schemas).map(([name, s]) => [name, create(core.VariableSchema, { type: s.literalType(), description: name })]),
    ),
  });
}

export function typedInterface(inputs: SchemaMap, outputs: SchemaMap): core.TypedInterface {
  return create(core.TypedInterfaceSchema, { inputs: variableMap(inputs), outputs: variableMap(outputs) });
}

function checkCount(what: string, n: number | undefined): void {
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new DefinitionError(`${what} must be a non-negative integer, got ${n}`);
}

export function taskMetadata(name: string, o: TaskCommonOptions, inputs: SchemaMap): core.TaskMetadata {
  checkCount(`task "${name}": retries`, o.retries);
  if (o.timeout !== undefined && !(o.timeout > 0)) throw new DefinitionError(`task "${name}": timeout must be a positive number of milliseconds, got ${o.timeout}`);
  if (o.cache) {
    if (!o.cache.version) throw new DefinitionError(`task "${name}": cache.version must be a non-empty string`);
    for (const i of o.cache.ignoredInputs ?? []) {
      if (!(i in inputs)) throw new DefinitionError(`task "${name}": cache.ignoredInputs names "${i}", which is not an input`);
    }
  }
  return create(core.TaskMetadataSchema, {
    discoverable: o.cache !== undefined,
    discoveryVersion: o.cache?.version ?? "",
    cacheSerializable: o.cache?.serialize ?? false,
    cacheIgnoreInputVars: o.cache?.ignoredInputs ?? [],
    runtime: create(core.RuntimeMetadataSchema, { type: core.RuntimeMetadata_RuntimeType.FLYTE_SDK, version: SDK_VERSION, flavor: "typescript" }),
    retries: create(core.RetryStrategySchema, { retries: o.retries ?? 0 }),
    ...(o.timeout !== undefined ? { timeout: durationFromMilliseconds(o.timeout) } : {}),
    ...(o.interruptible !== undefined ? { interruptibleValue: { case: "interruptible" as const, value: o.interruptible } } : {}),
  });
}

const quantity = /^\d+(\.\d+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

function entries(spec: ResourceSpec | undefined, where: string): core.Resources_ResourceEntry[] {
  if (!spec) return [];
  const names: [keyof ResourceSpec, core.Resources_ResourceName][] = [
    ["cpu", core.Resources_ResourceName.CPU],
    ["gpu", core.Resources_ResourceName.GPU],
    ["memory", core.Resources_ResourceName.MEMORY],
    ["ephemeralStorage", core.Resources_ResourceName.EPHEMERAL_STORAGE],
  ];
  for (const k of Object.keys(spec)) {
    if (!names.some(([n]) => n === k)) throw new DefinitionError(`${where}: unknown resource "${k}" (cpu, memory, gpu, ephemeralStorage)`);
  }
  return names
    .filter(([k]) => spec[k] !== undefined)
    .map(([k, name]) => {
      const value = String(spec[k]);
      if (!quantity.test(value)) throw new DefinitionError(`${where}: ${k} "${value}" is not a Kubernetes quantity (e.g. 500m, 2, 1Gi)`);
      return create(core.Resources_ResourceEntrySchema, { name, value });
    });
}

export function resources(r: Resources | undefined, where: string): core.Resources {
  return create(core.ResourcesSchema, { requests: entries(r?.requests, `${where} requests`), limits: entries(r?.limits, `${where} limits`) });
}

export function environment(env: Record<string, string> | undefined): core.KeyValuePair[] {
  return Object.entries(env ?? {}).map(([key, value]) => create(core.KeyValuePairSchema, { key, value }));
}

export function securityContext(o: TaskCommonOptions): core.SecurityContext | undefined {
  if (!o.secrets?.length) return undefined;
  const mount = { env: core.Secret_MountType.ENV_VAR, file: core.Secret_MountType.FILE };
  return create(core.SecurityContextSchema, {
    secrets: o.secrets.map((s) =>
      create(core.SecretSchema, { group: s.group, key: s.key ?? "", mountRequirement: s.mountAs ? mount[s.mountAs] : core.Secret_MountType.ANY }),
    ),
  });
}

export function container(o: TaskCommonOptions, image: string, args: string[], where: string, command: string[] = []): core.Container {
  return create(core.ContainerSchema, {
    image: o.image ?? image,
    command,
    args,
    resources: resources(o.resources, where),
    env: environment(o.environment),
  });
}
