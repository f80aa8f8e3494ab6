// Raw-container tasks (containerTask, shellTask) in local runs and `aloft start`: the engine's raw container
// plugin (Flyte's copilot file protocol), given a work directory under the system temp directory.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rawContainerPlugin as engineRawContainerPlugin, type TaskPlugin } from "@aloft/engine";

export interface RawContainerPluginOptions {
  /** Environment added over this process's own. */
  env?: Readonly<Record<string, string>>;
  /** Keep each attempt's directory (inputs, outputs) for debugging. */
  keepDirs?: boolean;
}

export function rawContainerPlugin(options: RawContainerPluginOptions = {}): TaskPlugin {
  return engineRawContainerPlugin({ workDir: join(tmpdir(), "aloft-raw"), keepWorkDirs: options.keepDirs ?? false, env: options.env ?? {} });
}
