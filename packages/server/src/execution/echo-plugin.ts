// Flyte's `echo` task type (flytepropeller's echo plugin): the task's outputs are its inputs, without running
// any code. Useful to exercise the control plane and engine end to end, and what the throughput benchmark runs.
import type { TaskPlugin } from "@aloft/engine";

export const echoPlugin: TaskPlugin = {
  name: "echo",
  canHandle: (task) => task.type === "echo",
  async execute(ctx) {
    return { kind: "success", outputs: ctx.inputs };
  },
};
