// Raw-container tasks (containerTask, shellTask) in local runs and `aloft start`: the engine's raw container
// plugin (Flyte's copilot file protocol), given the system temp directory as its work directory.
import { tmpdir } from "node:os";
import { rawContainerPlugin as engineRawContainerPlugin, type TaskPlugin } from "@aloft/engine";

export interface RawContainerPluginOptions {
  /** Environment added over this process's own. */
  env?: Readonly<Record<string, string>>;
  /** Keep each attempt's directory (inputs, outputs) for debugging. */
  keepDirs?: boolean;
  /** Where attempt directories are made (default: the system temporary directory). */
  workDir?: string;
  /**
   * This process's variables a task inherits: "all" (default, a run on the user's own machine) or an
   * allow-list of names and prefixes ending in `*` (a server: `aloft start` passes its taskEnvAllow).
   */
  inheritEnv?: readonly string[] | "all";
}

export function rawContainerPlugin(options: RawContainerPluginOptions = {}): TaskPlugin {
  // Attempt directories are made with mkdtemp straight in the temp directory, which every user can write to.
  return engineRawContainerPlugin({
    workDir: options.workDir ?? tmpdir(),
    keepWorkDirs: options.keepDirs ?? false,
    env: options.env ?? {},
    inheritEnv: options.inheritEnv ?? "all",
  });
}
