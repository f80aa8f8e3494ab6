// Task processes on `aloft start`: a shell task and a TypeScript task report the server variables they see, and a
// shell task that runs until it is killed (to check it dies with its server).
import { shellTask, t, task, workflow } from "@aloft/sdk";

export const shellEnv = shellTask({
  name: "envflow.shell-env",
  image: "debian:12",
  inputs: { name: t.string() },
  outputs: { seen: t.string(), tmp: t.string() },
  script: `eval "v=\\\${$(cat "$1/name"):-unset}"; printf '%s' "$v" > "$2/seen"; printf '%s' "$TMPDIR" > "$2/tmp"`,
});

export const tsEnv = task({ name: "envflow.ts-env", inputs: { name: t.string() }, outputs: t.string() }, ({ name }) => process.env[name] ?? "unset");

export const envFlow = workflow({ name: "envflow.env", inputs: { name: t.string() }, outputs: { shell: t.string(), ts: t.string(), tmp: t.string() } }, ({ name }) => {
  const s = shellEnv({ name });
  return { shell: s.seen, ts: tsEnv({ name }), tmp: s.tmp };
});

export const hang = shellTask({
  name: "envflow.hang",
  image: "debian:12",
  inputs: { pidFile: t.string() },
  outputs: { done: t.string() },
  script: `echo $$ > "$(cat "$1/pidFile")"; sleep 600; echo done > "$2/done"`,
});

export const hangFlow = workflow({ name: "envflow.hang-flow", inputs: { pidFile: t.string() }, outputs: { done: t.string() } }, ({ pidFile }) => ({ done: hang({ pidFile }).done }));
