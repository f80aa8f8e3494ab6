// Workflows for the Kubernetes end-to-end test: their TypeScript tasks run as pods (`aloft-task` in the pod's
// command, run by the simulated kubelet as a local process).
import { t, task, workflow } from "@aloft/sdk";

export const double = task({ name: "k8sflow.double", inputs: { x: t.int() }, outputs: t.int() }, ({ x }) => {
  console.log(`doubling ${x} in ${process.env.HOSTNAME}`);
  return x * 2;
});

/** The test's kubelet OOM-kills this task's first attempt. */
export const flaky = task({ name: "k8sflow.flaky", retries: 2, inputs: { x: t.int() }, outputs: t.int() }, ({ x }) => x + 1);

export const doubleFlow = workflow({ name: "k8sflow.double-flow", inputs: { x: t.int() }, outputs: { y: t.int() } }, ({ x }) => ({ y: flaky({ x: double({ x }) }) }));

/** The test's kubelet keeps this task's pod running until it is deleted. */
export const forever = task({ name: "k8sflow.forever", inputs: { x: t.int() }, outputs: t.int() }, ({ x }) => x);

export const foreverFlow = workflow({ name: "k8sflow.forever-flow", inputs: { x: t.int() }, outputs: { y: t.int() } }, ({ x }) => ({ y: forever({ x }) }));
