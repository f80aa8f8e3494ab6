// Workflows for the CLI's progress, input and log tests: a map task and a task after it, a shell task that writes
// to stdout and stderr, and a task reading a file input.
import { map, shellTask, t, task, workflow } from "@aloft/sdk";

export const scoreReview = task({ inputs: { review: t.string() }, outputs: t.int() }, ({ review }) => review.length);
export const summarise = task({ inputs: { scores: t.list(t.int()) }, outputs: t.int() }, ({ scores }) => scores.reduce((a, b) => a + b, 0));
export const scoreAll = workflow({ inputs: { reviews: t.list(t.string()) }, outputs: { total: t.int() } }, ({ reviews }) => ({
  total: summarise({ scores: map(scoreReview)({ review: reviews }) }),
}));

export const chatty = shellTask({
  image: "debian:12",
  inputs: { word: t.string() },
  outputs: { said: t.string() },
  script: `echo "hello {{.inputs.word}} on stdout"; echo "trouble on stderr" >&2; printf '%s' "{{.inputs.word}}" > "$2/said"`,
});
export const chattyFlow = workflow({ inputs: { word: t.string() }, outputs: { said: t.string() } }, ({ word }) => ({ said: chatty({ word }).said }));

export const countLines = task({ inputs: { data: t.file() }, outputs: t.int() }, async ({ data }) => (await data.text()).split("\n").filter(Boolean).length);
export const lineCount = workflow({ inputs: { data: t.file() }, outputs: { lines: t.int() } }, ({ data }) => ({ lines: countLines({ data }) }));
