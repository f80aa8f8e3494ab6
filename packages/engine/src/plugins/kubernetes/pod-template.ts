// Merging a pod onto a pod template, as Flyte merges a task's pod onto its base PodTemplate: the template's
// spec is the base, the task's pod overrides its fields and appends to its lists; the template's containers
// named `default` (for every container) and `primary` (for the primary container) are the base of each
// of the task's containers and are not kept as containers themselves. Unlike a plain append, a task's
// `command` and `args` replace the template's: a command glued to another is never what anyone wants.
import type { V1Container, V1ObjectMeta, V1PodSpec, V1PodTemplateSpec } from "@kubernetes/client-node";

export const DEFAULT_CONTAINER = "default";
export const PRIMARY_CONTAINER = "primary";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** `over` merged onto `base`: objects merged key by key, lists appended, other values replaced; `undefined` never overrides. */
export function mergeDeep<T>(base: T, over: T, replaceKeys: ReadonlySet<string> = new Set()): T {
  if (!isObj(base) || !isObj(over)) return (over === undefined ? base : over) as T;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    if (Array.isArray(v) && Array.isArray(b) && !replaceKeys.has(k)) out[k] = [...b, ...v];
    else if (isObj(v) && isObj(b)) out[k] = mergeDeep(b, v);
    else out[k] = structuredClone(v);
  }
  return out as T;
}

const CONTAINER_REPLACE = new Set(["command", "args"]);

export function mergeWithTemplate(template: V1PodTemplateSpec | undefined, spec: V1PodSpec, metadata: V1ObjectMeta, primaryName: string): { spec: V1PodSpec; metadata: V1ObjectMeta } {
  if (!template) return { spec, metadata };
  const base = structuredClone(template.spec ?? { containers: [] });
  const templates = base.containers ?? [];
  const byName = (name: string) => templates.find((c) => c.name === name);
  const containers = spec.containers.map((c) => {
    let merged: V1Container = { name: c.name };
    const d = byName(DEFAULT_CONTAINER);
    if (d) merged = mergeDeep(merged, { ...d, name: c.name }, CONTAINER_REPLACE);
    const p = c.name === primaryName ? byName(PRIMARY_CONTAINER) : undefined;
    if (p) merged = mergeDeep(merged, { ...p, name: c.name }, CONTAINER_REPLACE);
    return mergeDeep(merged, c, CONTAINER_REPLACE);
  });
  const mergedSpec: V1PodSpec = mergeDeep<V1PodSpec>({ ...base, containers: [] }, { ...spec, containers: [] });
  mergedSpec.containers = containers;
  const tm = template.metadata ?? {};
  const mergedMeta: V1ObjectMeta = {
    ...metadata,
    labels: { ...tm.labels, ...metadata.labels },
    annotations: { ...tm.annotations, ...metadata.annotations },
  };
  return { spec: mergedSpec, metadata: mergedMeta };
}
