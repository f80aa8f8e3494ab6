// A Kubernetes API server simulator for tests (no API server can run where Aloft's tests run).
export { startKubeSimulator, type KubeSimulator, type KubeSimulatorOptions } from "./simulator.ts";
export { SimulatedKubelet, type KubeletOptions, type PodOutcome, type WaitingReason } from "./kubelet.ts";
export { ApiError } from "./errors.ts";
export { RESOURCES, type ResourceType } from "./resources.ts";
export type { Obj, ResourceStore, Cluster, WatchEvent } from "./store.ts";
