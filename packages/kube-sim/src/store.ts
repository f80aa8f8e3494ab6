// The simulator's storage, with the API server's semantics: one resourceVersion counter for the cluster (as
// etcd's revision), a store per resource keeping a bounded history of changes for watches (a watch from a
// version older than the history gets 410 Gone), optimistic concurrency (409 on a stale resourceVersion),
// the status subresource, finalizers and owner-reference garbage collection.
import { randomUUID } from "node:crypto";
import { alreadyExists, ApiError, badRequest, conflict, gone, notFound } from "./errors.ts";
import type { ResourceType } from "./resources.ts";
import { apiVersionOf } from "./resources.ts";
import type { KubeObject, Selector } from "./selectors.ts";

export type Obj = KubeObject & {
  apiVersion?: string;
  kind?: string;
  metadata: Metadata;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};
export interface Metadata {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: { uid: string; kind: string; name: string; apiVersion: string }[];
  [k: string]: unknown;
}

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";
export interface Change {
  type: ChangeType;
  rv: number;
  object: Obj;
  /** The object before a MODIFIED change (to tell watchers with selectors that it stopped or started matching). */
  previous?: Obj;
}
export interface WatchEvent {
  type: ChangeType | "BOOKMARK" | "ERROR";
  object: Record<string, unknown>;
}

export interface WriteOptions {
  dryRun?: boolean;
}

const clone = <T>(v: T): T => structuredClone(v);
export const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

export class Cluster {
  private rv = 0;
  readonly stores = new Map<ResourceType, ResourceStore>();

  constructor(
    readonly resources: readonly ResourceType[],
    readonly historySize: number,
  ) {
    for (const r of resources) this.stores.set(r, new ResourceStore(r, this));
  }

  nextRv(): number {
    return ++this.rv;
  }
  currentRv(): number {
    return this.rv;
  }

  store(kind: string): ResourceStore {
    for (const [r, s] of this.stores) if (r.kind === kind) return s;
    throw new Error(`no store for ${kind}`);
  }

  /** Deletes what `uid` owned (background propagation, as the garbage collector does). */
  collectDependents(uid: string): void {
    for (const store of this.stores.values()) {
      for (const o of store.all()) {
        if (o.metadata.ownerReferences?.some((r) => r.uid === uid)) {
          try {
            store.delete(o.metadata.namespace, o.metadata.name!);
          } catch (e) {
            if (!(e instanceof ApiError && e.code === 404)) throw e;
          }
        }
      }
    }
  }

  namespaceExists(ns: string): boolean {
    return this.store("Namespace").has(undefined, ns);
  }
}

export class ResourceStore {
  private readonly objects = new Map<string, Obj>();
  private history: Change[] = [];
  /** The newest resourceVersion whose change has left the history: watches from before it get 410 Gone. */
  private compactedRv = 0;
  private readonly listeners = new Set<(c: Change) => void>();

  constructor(
    readonly type: ResourceType,
    private readonly cluster: Cluster,
  ) {}

  private key(ns: string | undefined, name: string): string {
    return this.type.namespaced ? `${ns ?? ""}/${name}` : name;
  }

  all(): Obj[] {
    return [...this.objects.values()];
  }
  has(ns: string | undefined, name: string): boolean {
    return this.objects.has(this.key(ns, name));
  }

  get(ns: string | undefined, name: string): Obj {
    const o = this.objects.get(this.key(ns, name));
    if (!o) throw notFound(this.type.kind, this.type.group, name);
    return this.withType(clone(o));
  }

  list(ns: string | undefined, selector: Selector): { items: Obj[]; resourceVersion: string } {
    const items = this.all()
      .filter((o) => (ns === undefined || o.metadata.namespace === ns) && selector(o))
      .sort((a, b) => this.key(a.metadata.namespace, a.metadata.name!).localeCompare(this.key(b.metadata.namespace, b.metadata.name!)))
      .map((o) => this.withType(clone(o)));
    return { items, resourceVersion: String(this.cluster.currentRv()) };
  }

  create(ns: string | undefined, input: Obj, o: WriteOptions = {}): Obj {
    const obj = clone(input);
    this.checkTypeMeta(obj);
    obj.metadata ??= {};
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = `${obj.metadata.generateName}${randomUUID().slice(0, 5)}`;
    const name = obj.metadata.name;
    if (!name) throw invalid(this.type, "", "metadata.name", "name or generateName is required");
    if (this.type.namespaced) {
      if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== ns) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      if (!ns) throw badRequest("a namespace is required");
      obj.metadata.namespace = ns;
      if (!this.cluster.namespaceExists(ns)) throw new ApiError(404, "NotFound", `namespaces "${ns}" not found`, { name: ns, kind: "namespaces" });
    } else delete obj.metadata.namespace;
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
      throw invalid(this.type, name, "metadata.name", `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`);
    }
    if (this.type.kind === "Pod" && (name.length > 63 || name.includes("."))) throw invalid(this.type, name, "metadata.name", `Invalid value: "${name}": must be a DNS-1123 label of at most 63 characters`);
    this.validate(obj, name);
    if (this.objects.has(this.key(ns, name))) throw alreadyExists(this.type.kind, this.type.group, name);
    if (o.dryRun) return this.withType(obj);
    delete obj.metadata.deletionTimestamp;
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = now();
    obj.metadata.generation = 1;
    if (this.type.subresources.includes("status") && this.type.kind !== "Namespace") delete obj.status;
    if (this.type.kind === "Namespace") obj.status = { phase: "Active" };
    if (this.type.kind === "Pod") defaultPod(obj);
    return this.commit("ADDED", obj);
  }

  /** PUT: the whole object (or, with `subresource: "status"`, only its status). */
  update(ns: string | undefined, name: string, input: Obj, o: WriteOptions & { subresource?: string } = {}): Obj {
    const current = this.objects.get(this.key(ns, name));
    if (!current) throw notFound(this.type.kind, this.type.group, name);
    const obj = clone(input);
    this.checkTypeMeta(obj);
    if (obj.metadata?.name !== undefined && obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    const rv = obj.metadata?.resourceVersion;
    if (rv !== undefined && rv !== "" && rv !== current.metadata.resourceVersion) throw conflict(this.type.kind, this.type.group, name);
    let next: Obj;
    if (o.subresource === "status") {
      next = { ...clone(current), status: obj.status ?? {} };
    } else {
      next = { ...obj, metadata: { ...obj.metadata, name, namespace: current.metadata.namespace, uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp } };
      if (current.metadata.deletionTimestamp) next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
      if (this.type.subresources.includes("status")) next.status = clone(current.status);
      next.metadata.generation = (current.metadata.generation ?? 1) + (canonical(next.spec) === canonical(current.spec) ? 0 : 1);
      if (this.type.kind === "Pod") checkPodUpdate(this.type, current, next);
    }
    this.validate(next, name);
    if (o.dryRun) return this.withType(next);
    // Removing the last finalizer of an object being deleted deletes it.
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      this.objects.set(this.key(ns, name), next);
      return this.remove(next);
    }
    return this.commit("MODIFIED", next);
  }

  /** PATCH with a JSON merge patch (strategic merge patches are applied as merge patches: lists are replaced). */
  patch(ns: string | undefined, name: string, patch: unknown, o: WriteOptions & { subresource?: string } = {}): Obj {
    const current = this.get(ns, name);
    const merged = mergePatch(current, stripDirectives(patch)) as Obj;
    if (o.subresource !== "status" && merged.metadata) delete merged.metadata.resourceVersion;
    return this.update(ns, name, merged, o);
  }

  delete(ns: string | undefined, name: string, o: WriteOptions & { orphan?: boolean; preconditionUid?: string } = {}): Obj {
    const current = this.objects.get(this.key(ns, name));
    if (!current) throw notFound(this.type.kind, this.type.group, name);
    if (o.preconditionUid && o.preconditionUid !== current.metadata.uid) throw conflict(this.type.kind, this.type.group, name);
    if (o.dryRun) return this.withType(clone(current));
    if ((current.metadata.finalizers ?? []).length > 0) {
      if (current.metadata.deletionTimestamp) return this.withType(clone(current));
      const next = clone(current);
      next.metadata.deletionTimestamp = now();
      next.metadata.deletionGracePeriodSeconds = 0;
      return this.commit("MODIFIED", next);
    }
    const removed = this.remove(clone(current));
    if (!o.orphan) this.cluster.collectDependents(current.metadata.uid!);
    return removed;
  }

  /** Streams changes after `fromRv` (or the current objects as ADDED, then changes, when it is empty or "0"). */
  watch(ns: string | undefined, fromRv: string | undefined, selector: Selector, send: (e: WatchEvent) => void): () => void {
    const inScope = (o: Obj) => (ns === undefined || o.metadata.namespace === ns) && selector(o);
    const deliver = (c: Change) => {
      const was = c.previous !== undefined && inScope(c.previous);
      const is = inScope(c.object);
      let type: ChangeType | undefined;
      if (c.type === "ADDED") type = is ? "ADDED" : undefined;
      else if (c.type === "DELETED") type = is ? "DELETED" : undefined;
      else type = was && is ? "MODIFIED" : is ? "ADDED" : was ? "DELETED" : undefined;
      if (type) send({ type, object: this.withType(clone(c.object)) });
    };
    if (fromRv === undefined || fromRv === "" || fromRv === "0") {
      for (const o of this.list(ns, selector).items) send({ type: "ADDED", object: o });
    } else {
      const rv = Number(fromRv);
      if (!Number.isInteger(rv) || rv < 0) throw badRequest(`invalid resource version "${fromRv}"`);
      if (rv < this.compactedRv) throw gone(`too old resource version: ${rv} (${this.compactedRv})`);
      for (const c of this.history) if (c.rv > rv) deliver(c);
    }
    this.listeners.add(deliver);
    return () => this.listeners.delete(deliver);
  }

  /** In-process subscription to every change (the simulated kubelet's view). */
  subscribe(fn: (c: Change) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Drops the whole history, so every watch from an earlier version gets 410 Gone (a compaction). */
  compact(): void {
    this.compactedRv = this.cluster.currentRv();
    this.history = [];
  }

  private remove(obj: Obj): Obj {
    this.objects.delete(this.key(obj.metadata.namespace, obj.metadata.name!));
    const rv = this.cluster.nextRv();
    obj.metadata.resourceVersion = String(rv);
    this.record({ type: "DELETED", rv, object: obj });
    return this.withType(clone(obj));
  }

  private commit(type: ChangeType, obj: Obj): Obj {
    const key = this.key(obj.metadata.namespace, obj.metadata.name!);
    const previous = this.objects.get(key);
    const rv = this.cluster.nextRv();
    obj.metadata.resourceVersion = String(rv);
    delete obj.apiVersion;
    delete obj.kind;
    this.objects.set(key, obj);
    this.record({ type, rv, object: clone(obj), ...(previous ? { previous } : {}) });
    return this.withType(clone(obj));
  }

  private record(c: Change): void {
    this.history.push(c);
    if (this.history.length > this.cluster.historySize) {
      const dropped = this.history.splice(0, this.history.length - this.cluster.historySize);
      this.compactedRv = dropped[dropped.length - 1]!.rv;
    }
    for (const l of [...this.listeners]) l(c);
  }

  private withType(o: Obj): Obj {
    return { apiVersion: apiVersionOf(this.type), kind: this.type.kind, ...o };
  }

  private checkTypeMeta(obj: Obj): void {
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) throw badRequest("the body must be a JSON object");
    if (obj.kind !== undefined && obj.kind !== this.type.kind) throw badRequest(`the kind of the object (${String(obj.kind)}) does not match the URL (${this.type.kind})`);
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(this.type)) throw badRequest(`the apiVersion of the object (${String(obj.apiVersion)}) does not match the URL (${apiVersionOf(this.type)})`);
  }

  private validate(obj: Obj, name: string): void {
    try {
      this.type.validate({ ...obj, apiVersion: apiVersionOf(this.type), kind: this.type.kind });
    } catch (e) {
      const errors = (e as { errors?: { instancePath: string; message?: string }[] }).errors;
      if (!errors) throw e;
      const causes = errors.map((x) => ({ reason: "FieldValueInvalid", message: `Invalid value: ${x.message ?? "invalid"}`, field: x.instancePath.replace(/^\//, "").replace(/\/(\d+)(?=\/|$)/g, "[$1]").replace(/\//g, ".") }));
      throw new ApiError(422, "Invalid", `${this.type.kind} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(", ")}`, { name, group: this.type.group, kind: this.type.kind, causes });
    }
  }
}

function invalid(type: ResourceType, name: string, field: string, message: string): ApiError {
  return new ApiError(422, "Invalid", `${type.kind} "${name}" is invalid: ${field}: ${message}`, { name, group: type.group, kind: type.kind, causes: [{ reason: "FieldValueInvalid", message, field }] });
}

/** The defaults the API server fills in on a new pod. */
function defaultPod(pod: Obj): void {
  const spec = (pod.spec ??= {}) as Record<string, unknown>;
  spec.restartPolicy ??= "Always";
  spec.dnsPolicy ??= "ClusterFirst";
  spec.schedulerName ??= "default-scheduler";
  spec.serviceAccountName ??= "default";
  spec.terminationGracePeriodSeconds ??= 30;
  for (const c of (spec.containers ?? []) as Record<string, unknown>[]) {
    c.imagePullPolicy ??= String(c.image ?? "").endsWith(":latest") || !String(c.image ?? "").includes(":") ? "Always" : "IfNotPresent";
    c.terminationMessagePath ??= "/dev/termination-log";
    c.terminationMessagePolicy ??= "File";
  }
  pod.status = { phase: "Pending", qosClass: "BestEffort" };
}

/** A pod's spec is immutable but for a few fields (the API server's rule); the kubelet's binding sets nodeName. */
function checkPodUpdate(type: ResourceType, current: Obj, next: Obj): void {
  const strip = (s: Record<string, unknown> | undefined) => {
    const copy = { ...s };
    delete copy.activeDeadlineSeconds;
    delete copy.tolerations;
    if (!s?.nodeName || !current.spec?.nodeName) delete copy.nodeName;
    const containers = (copy.containers as Record<string, unknown>[] | undefined)?.map((c) => ({ ...c, image: undefined }));
    return canonical({ ...copy, containers });
  };
  if (strip(current.spec) !== strip(next.spec)) {
    throw invalid(type, String(current.metadata.name), "spec", "Forbidden: pod updates may not change fields other than `spec.containers[*].image`, `spec.activeDeadlineSeconds` or `spec.tolerations`");
  }
}

/** JSON with sorted keys and no undefined members: equal values give equal text whatever the key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return clone(patch);
  const out: Record<string, unknown> = target !== null && typeof target === "object" && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function stripDirectives(patch: unknown): unknown {
  if (Array.isArray(patch)) return patch.map(stripDirectives);
  if (patch === null || typeof patch !== "object") return patch;
  return Object.fromEntries(Object.entries(patch).filter(([k]) => !k.startsWith("$")).map(([k, v]) => [k, stripDirectives(v)]));
}
