// The task plugins `aloft start` runs its tasks with, beside the server's own: TypeScript tasks in worker
// processes, and container and shell tasks (Flyte's raw-container protocol) as local processes, as in `aloft run`.
// With a `kubernetes` section, the tasks it routes run as pods instead (asked first). One list, so the CLI's
// tests start the server with exactly what users get.
import { join } from "node:path";
import { loadKubernetesPodPlugin, type KubernetesConfig, type TaskPlugin } from "@aloft/engine";
import { rawContainerPlugin } from "@aloft/sdk";
import { typescriptTaskPlugin } from "./typescript-plugin.ts";

export interface ServerPluginOptions {
  /** Variables of the server's environment task processes see (names, or prefixes ending in *). */
  taskEnvAllow: string[];
  /** The server's data directory; attempts' working directories go under <dataDir>/task-runs. */
  dataDir: string;
  /** The server's secrets directory (taskSecretsDir), for TypeScript tasks' declared secrets. */
  secretsDir?: string | undefined;
  /** TypeScript task worker processes (default: the plugin's own). */
  workers?: number;
  /** Routed tasks run as Kubernetes pods (off when unset). */
  kubernetes?: KubernetesConfig | undefined;
  /** Told of problems that do not stop the server (a pod informer that restarts). */
  warn?: (message: string) => void;
}

export async function serverTaskPlugins(options: ServerPluginOptions): Promise<TaskPlugin[]> {
  return [
    ...(options.kubernetes ? [await loadKubernetesPodPlugin({ config: options.kubernetes, ...(options.warn ? { onError: options.warn } : {}) })] : []),
    typescriptTaskPlugin({
      envAllow: options.taskEnvAllow,
      ...(options.secretsDir ? { secretsDir: options.secretsDir } : {}),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
    }),
    rawContainerPlugin({ inheritEnv: options.taskEnvAllow, workDir: join(options.dataDir, "task-runs") }),
  ];
}
