// The pod plugin is loaded when a server is configured for Kubernetes: @kubernetes/client-node takes seconds to
// import on these machines, and every other user of the engine (`aloft run`, a server without pods) needs none of it.
import type { TaskPlugin } from "../plugin.ts";
import type { KubernetesPluginOptions } from "./plugin.ts";

export async function loadKubernetesPodPlugin(options: KubernetesPluginOptions): Promise<TaskPlugin> {
  const { kubernetesPodPlugin } = await import("./plugin.ts");
  return kubernetesPodPlugin(options);
}
