// The Kubernetes API simulator: the store, the HTTP routes and a simulated kubelet behind one real HTTP
// server, for tests where no API server can run. Clients reach it with a kubeconfig it writes.
import { createServer, type ServerResponse } from "node:http";
import { writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { handle } from "./http.ts";
import { SimulatedKubelet, type KubeletOptions } from "./kubelet.ts";
import { RESOURCES } from "./resources.ts";
import { Cluster, type Obj, type ResourceStore } from "./store.ts";

export interface KubeSimulatorOptions {
  port?: number;
  /** Namespaces that exist at start (default, kube-system and these). */
  namespaces?: string[];
  /** Changes kept per resource for watches; a watch from an older version gets 410 Gone. Default 1000. */
  historySize?: number;
  /** Interval of BOOKMARK events on watches that allow them. Default 1 s (the API server's is about a minute). */
  bookmarkMs?: number;
  kubelet?: KubeletOptions;
  onRequest?: (method: string, url: string) => void;
}

export interface KubeSimulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly cluster: Cluster;
  readonly kubelet: SimulatedKubelet;
  store(kind: string): ResourceStore;
  /** A kubeconfig naming the simulator (context `aloft-simulator`), as YAML text. */
  kubeconfig(namespace?: string): string;
  /** Writes the kubeconfig to `path` and returns the path. */
  writeKubeconfig(path: string, namespace?: string): string;
  createNamespace(name: string): Obj;
  /** Ends every open watch (as an API server restart or a load balancer timeout does); clients reconnect. */
  dropWatches(): void;
  close(): Promise<void>;
}

export async function startKubeSimulator(options: KubeSimulatorOptions = {}): Promise<KubeSimulator> {
  const cluster = new Cluster(RESOURCES, options.historySize ?? 1000);
  const kubelet = new SimulatedKubelet(cluster, options.kubelet);
  const watches = new Set<ServerResponse>();
  const ctx = { cluster, kubelet, bookmarkMs: options.bookmarkMs ?? 1000, watches, ...(options.onRequest ? { onRequest: options.onRequest } : {}) };
  const server = createServer((req, res) => void handle(ctx, req, res));
  // Node closes idle keep-alive connections after 5 s, and a client reusing one at that moment gets ECONNRESET;
  // the API server keeps them open far longer.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const namespaces = cluster.store("Namespace");
  const createNamespace = (name: string) => namespaces.create(undefined, { metadata: { name } });
  for (const ns of new Set(["default", "kube-system", ...(options.namespaces ?? [])])) createNamespace(ns);
  const kubeconfig = (namespace = "default") =>
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: aloft-simulator",
      "  cluster:",
      `    server: ${url}`,
      // Plain HTTP: client-node accepts it only with TLS verification off, which is all this says.
      "    insecure-skip-tls-verify: true",
      "users:",
      "- name: aloft-simulator",
      "  user:",
      "    token: simulator",
      "contexts:",
      "- name: aloft-simulator",
      "  context:",
      "    cluster: aloft-simulator",
      "    user: aloft-simulator",
      `    namespace: ${namespace}`,
      "current-context: aloft-simulator",
      "",
    ].join("\n");
  return {
    url,
    cluster,
    kubelet,
    store: (kind) => cluster.store(kind),
    kubeconfig,
    writeKubeconfig(path, namespace) {
      writeFileSync(path, kubeconfig(namespace), { mode: 0o600 });
      return path;
    },
    createNamespace,
    dropWatches() {
      for (const w of watches) w.end();
    },
    async close() {
      kubelet.stop();
      for (const w of watches) w.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
