// A shell task that runs until its server is killed on its first attempt and finishes at once on a later one; each
// start is appended to a log, so a test sees how many times and with which attempt number it ran.
import { shellTask, t, workflow } from "@aloft/sdk";

export const slow = shellTask({
  name: "restartflow.slow",
  image: "debian:12",
  inputs: { dir: t.string() },
  outputs: { ran: t.string() },
  script: `d="$(cat "$1/dir")"; echo "start $FLYTE_ATTEMPT_NUMBER $$" >> "$d/runs.log"; echo $$ > "$d/pid"; if [ "$FLYTE_ATTEMPT_NUMBER" = 0 ]; then sleep 600; fi; printf 'attempt %s' "$FLYTE_ATTEMPT_NUMBER" > "$2/ran"`,
});

export const slowFlow = workflow({ name: "restartflow.slow-flow", inputs: { dir: t.string() }, outputs: { ran: t.string() } }, ({ dir }) => ({ ran: slow({ dir }).ran }));
