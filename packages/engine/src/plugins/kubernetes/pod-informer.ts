// Follows Aloft's pods with one informer per namespace (list + watch from the list's resourceVersion, relist
// on 410 Gone, all in @kubernetes/client-node), never by polling pods one by one. Attempts subscribe to their
// pod by name and are told of every change, including its deletion.
import { CoreV1Api, KubeConfig, makeInformer, type Informer, type ObjectCache, type V1Pod } from "@kubernetes/client-node";
import { MANAGED_BY, MANAGED_BY_LABEL } from "./pod-spec.ts";

export type PodEvent = { type: "update"; pod: V1Pod } | { type: "delete"; pod: V1Pod };
type Listener = (e: PodEvent) => void;

interface NamespaceInformer {
  informer: Informer<V1Pod> & ObjectCache<V1Pod>;
  started: Promise<void>;
}

export interface PodInformerOptions {
  /** Delay before an informer that stopped on an error starts again. Default 1 s. */
  restartDelayMs?: number;
  onError?: (namespace: string, err: unknown) => void;
}

export class PodInformers {
  private readonly informers = new Map<string, NamespaceInformer>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private closed = false;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly api: CoreV1Api,
    private readonly options: PodInformerOptions = {},
  ) {}

  /** Starts (once) the namespace's informer and resolves when its first list is in the cache. */
  ensure(namespace: string): Promise<void> {
    const existing = this.informers.get(namespace);
    if (existing) return existing.started;
    const selector = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
    const informer = makeInformer(
      this.kubeConfig,
      `/api/v1/namespaces/${namespace}/pods`,
      () => this.api.listNamespacedPod({ namespace, labelSelector: selector }),
      selector,
    );
    const emit = (type: PodEvent["type"]) => (pod: V1Pod) => {
      for (const l of this.listeners.get(key(namespace, pod.metadata?.name ?? "")) ?? []) l({ type, pod } as PodEvent);
    };
    informer.on("add", emit("update"));
    informer.on("update", emit("update"));
    informer.on("delete", emit("delete"));
    // client-node's informer stops on any error but 410; start it again, as a controller's reflector does.
    informer.on("error", (err) => {
      if (this.closed) return;
      this.options.onError?.(namespace, err);
      setTimeout(() => {
        if (!this.closed) informer.start().catch((e) => this.options.onError?.(namespace, e));
      }, this.options.restartDelayMs ?? 1000).unref();
    });
    const entry: NamespaceInformer = { informer, started: informer.start() };
    entry.started.catch(() => this.informers.delete(namespace));
    this.informers.set(namespace, entry);
    return entry.started;
  }

  /** The pod as the cache has it. */
  get(namespace: string, name: string): V1Pod | undefined {
    return this.informers.get(namespace)?.informer.get(name, namespace);
  }

  subscribe(namespace: string, name: string, l: Listener): () => void {
    const k = key(namespace, name);
    let set = this.listeners.get(k);
    if (!set) this.listeners.set(k, (set = new Set()));
    set.add(l);
    return () => {
      set.delete(l);
      if (set.size === 0) this.listeners.delete(k);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.informers.values()].map((i) => i.informer.stop()));
    this.informers.clear();
  }
}

const key = (namespace: string, name: string) => `${namespace}/${name}`;
