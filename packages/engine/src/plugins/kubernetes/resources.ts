// A task's resources as the container's requests and limits, merged with the platform's defaults as Flyte's
// ApplyResourceOverrides does: a missing request is the limit (or the platform default), a missing limit is
// the request, nothing exceeds the platform limit, and a request never exceeds its limit. `gpu` is the GPU
// resource name of the cluster (nvidia.com/gpu); `storage` is dropped, as Flyte drops it.
import type { V1ResourceRequirements } from "@kubernetes/client-node";
import { core } from "@aloft/idl";
import { InvalidArgumentError } from "../../errors.ts";

const R = core.Resources_ResourceName;
const NAMES: Record<number, string | undefined> = {
  [R.CPU]: "cpu",
  [R.MEMORY]: "memory",
  [R.GPU]: "gpu",
  [R.STORAGE]: "storage",
  [R.EPHEMERAL_STORAGE]: "ephemeral-storage",
};

export interface PlatformResources {
  defaultRequests: Readonly<Record<string, string>>;
  maxLimits: Readonly<Record<string, string>>;
  gpuResourceName: string;
}

/** Kubernetes' quantity grammar, as a number of base units (cores, bytes) for comparison. */
export function parseQuantity(text: string, field = "quantity"): number {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(field, `${JSON.stringify(text)} is not a Kubernetes quantity (e.g. 500m, 2, 1Gi)`);
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  const factor: Record<string, number> = {
    n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  };
  return n * (m[3] ? factor[m[3]]! : 1);
}

/** Requests and limits of the task's container resources, by Kubernetes resource name, before defaults. */
export function taskResources(resources: core.Resources | undefined, field = "container.resources"): { requests: Record<string, string>; limits: Record<string, string> } {
  const read = (entries: core.Resources_ResourceEntry[], part: string) => {
    const out: Record<string, string> = {};
    entries.forEach((e, i) => {
      const name = NAMES[e.name];
      if (!name) throw new InvalidArgumentError(`${field}.${part}[${i}].name`, `resource ${e.name} is not one of cpu, memory, gpu, storage, ephemeral_storage`);
      parseQuantity(e.value, `${field}.${part}[${i}].value`);
      out[name] = e.value;
    });
    return out;
  };
  return { requests: read(resources?.requests ?? [], "requests"), limits: read(resources?.limits ?? [], "limits") };
}

/**
 * Merges given requests and limits with the platform's. `assignIfUnset` (the primary container) fills a
 * resource the task left out from the platform default; other containers only get their values clamped.
 */
export function applyResourceOverrides(given: { requests: Record<string, string>; limits: Record<string, string> }, platform: PlatformResources, assignIfUnset = true): V1ResourceRequirements {
  const requests = { ...given.requests };
  const limits = { ...given.limits };
  for (const part of [requests, limits]) {
    delete part.storage;
    if (part.gpu !== undefined) {
      part[platform.gpuResourceName] = part.gpu;
      delete part.gpu;
    }
  }
  const names = ["cpu", "memory"];
  if (requests["ephemeral-storage"] !== undefined || limits["ephemeral-storage"] !== undefined) names.push("ephemeral-storage");
  if (requests[platform.gpuResourceName] !== undefined || limits[platform.gpuResourceName] !== undefined) names.push(platform.gpuResourceName);
  for (const name of names) {
    const r = adjust(requests[name], limits[name], assignIfUnset, platform.defaultRequests[name], platform.maxLimits[name]);
    if (r.request !== undefined) requests[name] = r.request;
    if (r.limit !== undefined) limits[name] = r.limit;
  }
  const out: V1ResourceRequirements = {};
  if (Object.keys(requests).length > 0) out.requests = requests;
  if (Object.keys(limits).length > 0) out.limits = limits;
  return out;
}

type Q = string | undefined;
const isZero = (q: Q) => q === undefined || parseQuantity(q) === 0;

function adjust(request: Q, limit: Q, assignIfUnset: boolean, platformDefault: Q, platformLimit: Q): { request: Q; limit: Q } {
  if (assignIfUnset) {
    if (isZero(request)) request = isZero(limit) ? platformDefault : limit;
    if (isZero(limit)) limit = request;
  }
  const cap = (value: Q, max: Q): Q => (value !== undefined && !isZero(max) && parseQuantity(value) > parseQuantity(max!) ? max : value);
  request = cap(request, platformLimit);
  limit = cap(limit, platformLimit);
  request = cap(request, limit);
  return { request, limit };
}
