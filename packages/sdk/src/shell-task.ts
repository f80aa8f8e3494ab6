// `shellTask(...)`: a shell script as a task. It is a raw container task running `sh -ec <script>`, so it runs
// the same in a container and as a local process. The script reads inputs as `{{.inputs.name}}` (substituted
// before it runs) or from files in "$1" (the input directory), and writes each output to "$2/<name>".
import { callerFile } from "./defined-in.ts";
import type { OutputDecl } from "./entity.ts";
import { rawContainerTask, type ContainerTaskDef, type ContainerTaskOptions } from "./container-task.ts";
import type { SchemaMap } from "./types/schema.ts";

export interface ShellTaskOptions<I extends SchemaMap, O extends OutputDecl> extends Omit<ContainerTaskOptions<I, O>, "command" | "args" | "image"> {
  script: string;
  /** Image with a POSIX shell and whatever the script calls; default debian:bookworm-slim. */
  image?: string;
  /** Shell to run the script with (default /bin/sh). */
  shell?: string;
}

export function shellTask<I extends SchemaMap = {}, O extends OutputDecl = undefined>(options: ShellTaskOptions<I, O>): ContainerTaskDef<I, O> {
  const { script, shell, ...rest } = options;
  const inputDir = options.inputDir ?? "/var/inputs";
  const outputDir = options.outputDir ?? "/var/outputs";
  return rawContainerTask(
    { ...rest, image: options.image ?? "docker.io/library/debian:bookworm-slim", command: [shell ?? "/bin/sh", "-ec", script, "aloft-shell", inputDir, outputDir], inputDir, outputDir },
    callerFile(),
    "shell task",
  );
}
